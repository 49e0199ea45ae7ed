import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mintToken } from '@switchboard/auth';
import { FLAGS } from '@switchboard/flags';
import { type ServiceProcess, spawnService } from '@switchboard/test-kit';
import { type RedisServer, startRedis, waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_CGROUP_PARENT, removeTestCgroups } from './isolation.js';

// Both services as built (`pnpm --filter @switchboard/sandbox-service build` builds flag-service
// too): an admin flips SANDBOX_PAUSE_RESUME on the flag service and sandbox-service follows.
const sandboxEntry = fileURLToPath(new URL('../dist/server.js', import.meta.url));
const flagServiceEntry = fileURLToPath(
  new URL('../../flag-service/dist/server.js', import.meta.url),
);
const secret = 'flag-toggle-live-test-secret';
const KEY = FLAGS.SANDBOX_PAUSE_RESUME;
/** The bound the issue sets for a flag change to show in another service. */
const WITHIN_MS = 1_000;

describe('SANDBOX_PAUSE_RESUME toggled on flag-service, followed live by a sandbox-service process', () => {
  let redis: RedisServer;
  let sandboxService: ServiceProcess;
  let flagService: ServiceProcess;
  const root = mkdtempSync(join(tmpdir(), 'switchboard-flag-live-'));
  const bearer = (sub: string, dealershipId: string, role: 'user' | 'admin') =>
    `Bearer ${mintToken({ sub, dealershipId, role }, { secret })}`;
  const admin = bearer('ops', 'hq', 'admin');
  const alice = bearer('alice', 'd1', 'user');

  beforeAll(async () => {
    redis = await startRedis();
    const env = { REDIS_URL: redis.url, JWT_SECRET: secret };
    // sandbox-service creates the flag (enabled) at first start; the flag service then manages it.
    sandboxService = await spawnService(sandboxEntry, {
      ...env,
      SANDBOX_ROOT: root,
      SANDBOX_CGROUP_PARENT: TEST_CGROUP_PARENT,
    });
    flagService = await spawnService(flagServiceEntry, env);
  }, 45_000);
  afterAll(async () => {
    await Promise.all([sandboxService?.stop('SIGKILL'), flagService?.stop('SIGKILL')]);
    await redis?.cleanup();
    rmSync(root, { recursive: true, force: true });
    await removeTestCgroups();
  });

  const call = async (
    base: string,
    authorization: string,
    method: string,
    path: string,
    body?: unknown,
  ) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return {
      status: res.status,
      body: (await res.json()) as {
        data?: Record<string, unknown>;
        error?: { code: string; details?: Record<string, unknown> };
      },
    };
  };
  const flagApi = async (method: string, path: string, body?: unknown) => {
    const res = await call(flagService.http, admin, method, `/api/flags/${KEY}${path}`, body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.data as { version: number; enabled: boolean };
  };
  const sandbox = (method: string, path: string, body?: unknown) =>
    call(sandboxService.http, alice, method, `/api/sandbox${path}`, body);
  /** Polls every 10 ms until `check` holds; fails after 1 s; returns how long it took. */
  const within = async (check: () => Promise<boolean>, message: string) => {
    const started = Date.now();
    await waitFor(check, { timeoutMs: WITHIN_MS, intervalMs: 10, message });
    return Date.now() - started;
  };
  const featureDisabled = (res: {
    status: number;
    body: { error?: { code: string; details?: Record<string, unknown> } };
  }) =>
    res.status === 404 &&
    res.body.error?.code === 'FEATURE_DISABLED' &&
    res.body.error.details?.['flag'] === KEY;

  it('gates pause/resume within 1 s of the toggle and restores it within 1 s of the rollback', async () => {
    expect(await flagApi('GET', '')).toMatchObject({ enabled: true }); // created at first start
    const created = await sandbox('POST', '', { name: 'flag drill' });
    expect(created.status).toBe(201);
    const id = created.body.data!['id'] as string;
    expect((await sandbox('POST', `/pause/${id}`, { reason: 'before' })).status).toBe(200);
    expect((await sandbox('POST', `/resume/${id}`, {})).status).toBe(200);
    const before = await flagApi('GET', '');

    const off = await flagApi('POST', '/toggle', {
      enabled: false,
      reason: 'pause/resume incident',
    });
    expect(off).toMatchObject({ enabled: false, version: before.version + 1 });
    // Polled with a gated read so the polling itself changes nothing.
    const offMs = await within(
      async () => featureDisabled(await sandbox('GET', `/${id}/pause-history`)),
      'pause-history disabled',
    );
    expect(featureDisabled(await sandbox('POST', `/pause/${id}`, {}))).toBe(true);
    expect(featureDisabled(await sandbox('POST', `/resume/${id}`, {}))).toBe(true);
    expect(featureDisabled(await sandbox('POST', '/bulk/pause', { ids: [id] }))).toBe(true);
    expect(featureDisabled(await sandbox('POST', '/bulk/resume', { ids: [id] }))).toBe(true);
    expect(
      featureDisabled(
        await sandbox('PUT', `/${id}/pause-settings`, { autoPause: { idleTimeoutSec: 60 } }),
      ),
    ).toBe(true);
    // Not gated: the sandbox itself stays reachable, and it was not paused by any of the above.
    const status = await sandbox('GET', `/${id}/status`);
    expect(status.status).toBe(200);
    expect(status.body.data).toMatchObject({ state: 'active' });

    const back = await flagApi('POST', '/rollback', {
      version: before.version,
      reason: 'incident over',
    });
    expect(back).toMatchObject({ enabled: true, version: before.version + 2 });
    const onMs = await within(
      async () => (await sandbox('GET', `/${id}/pause-history`)).status === 200,
      'pause-history enabled',
    );
    const paused = await sandbox('POST', `/pause/${id}`, { reason: 'after' });
    expect(paused.status).toBe(200);
    expect(paused.body.data).toMatchObject({ state: 'paused', pauseReason: 'after' });
    expect((await sandbox('POST', `/resume/${id}`, {})).status).toBe(200);
    console.warn(`SANDBOX_PAUSE_RESUME: off observed after ${offMs} ms, on after ${onMs} ms`);
  });
});
