import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RoleName } from '@switchboard/auth';
import { tokenMinter } from '@switchboard/test-kit';
import type { FlagReader } from '@switchboard/flags';
import { type Keyspace, createKeyspace } from '@switchboard/keyspace';
import type { TypedFastify } from '@switchboard/service-kit';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { buildApp } from '../src/app.js';
import type { SandboxRuntimeSettings } from '../src/config.js';
import type { SandboxDriver } from '../src/drivers/sandbox-driver.js';
import { TEST_CGROUP_PARENT, removeTestCgroups } from './isolation.js';
import { type SandboxWorker, startWorker } from '../src/workers/index.js';

export const TEST_SECRET = 'test-secret-for-sandbox-service';

export const tokenFor = tokenMinter(TEST_SECRET);

export { useRedis } from '@switchboard/test-kit';

/** A private SANDBOX_ROOT for this test file. */
export function useSandboxRoot(): { readonly path: string } {
  const holder = { path: '' };
  beforeAll(() => {
    holder.path = mkdtempSync(join(tmpdir(), 'switchboard-sandboxes-'));
  });
  afterAll(async () => {
    if (holder.path) rmSync(holder.path, { recursive: true, force: true });
    await removeTestCgroups();
  });
  return holder;
}

/** The apps and workers under test use no KEY_PREFIX (one Redis per test file). */
const keyspace = createKeyspace('');

export interface BuildOptions {
  flags?: FlagReader;
  /** Default: no KEY_PREFIX. */
  keyspace?: Keyspace;
  settings?: Partial<SandboxRuntimeSettings>;
  /** Replaces the driver SANDBOX_DRIVER would select. */
  driver?: SandboxDriver;
}

/** The app on the test file's Redis; close it in afterEach/afterAll. */
export async function build(redisUrl: string, options: BuildOptions = {}): Promise<TypedFastify> {
  const app = await buildApp({
    redisUrl,
    keyspace: options.keyspace ?? keyspace,
    auth: { secret: TEST_SECRET },
    logLevel: 'silent',
    ...(options.flags ? { flags: options.flags } : {}),
    settings: { SANDBOX_CGROUP_PARENT: TEST_CGROUP_PARENT, ...options.settings },
    ...(options.driver ? { driver: options.driver } : {}),
  });
  await app.ready();
  return app;
}

/** A worker in this process (same code path as `node dist/worker.js`). */
export function buildWorker(
  redisUrl: string,
  settings: Partial<SandboxRuntimeSettings>,
  app?: TypedFastify,
): Promise<SandboxWorker> {
  return startWorker({
    redisUrl,
    keyspace,
    settings: { SANDBOX_CGROUP_PARENT: TEST_CGROUP_PARENT, ...settings },
    ...(app ? { registry: app.metrics } : {}),
  });
}

export type Caller = ReturnType<typeof caller>;

/** app.inject with a bearer token for one identity. */
export function caller(
  app: TypedFastify,
  sub: string,
  dealershipId: string,
  role: RoleName = 'user',
) {
  const token = tokenFor(sub, dealershipId, role);
  const send = (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, ...headers },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  return {
    get: (url: string) => send('GET', url),
    post: (url: string, payload?: unknown, headers?: Record<string, string>) =>
      send('POST', url, payload ?? {}, headers),
    put: (url: string, payload?: unknown, headers?: Record<string, string>) =>
      send('PUT', url, payload, headers),
    delete: (url: string) => send('DELETE', url),
    createSandbox: async (body: Record<string, unknown> = {}) => {
      const res = await send('POST', '/api/sandbox', body);
      if (res.statusCode !== 201) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
      return res.json().data as { id: string; dealershipId: string; state: string };
    },
  };
}
