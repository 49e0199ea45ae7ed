import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TypedFastify } from '@switchboard/service-kit';
import { waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runtimeSettings } from '../src/config.js';
import { selectDriver } from '../src/drivers/driver-selection.js';
import type { SandboxDriver } from '../src/drivers/sandbox-driver.js';
import type { SandboxWorker } from '../src/workers/index.js';
import { build, buildWorker, caller, type Caller, useRedis, useSandboxRoot } from './helper.js';
import {
  TEST_CGROUP_PARENT,
  isolationUnavailable,
  processesWith,
  removeTestCgroups,
} from './isolation.js';

const unavailable = isolationUnavailable();
const freezerState = (sandboxId: string) =>
  readFileSync(
    `/sys/fs/cgroup/freezer/${TEST_CGROUP_PARENT}/${sandboxId}/freezer.state`,
    'utf8',
  ).trim();
const v1 = existsSync('/sys/fs/cgroup/freezer/cgroup.procs');

describe.skipIf(unavailable !== undefined)(
  'sandboxes on the isolated driver, through the API',
  () => {
    const redis = useRedis();
    const root = useSandboxRoot();
    let app: TypedFastify;
    let worker: SandboxWorker;
    let alice: Caller;
    const settings = () => ({
      SANDBOX_ROOT: root.path,
      SANDBOX_ALLOW_EXEC: true,
      SANDBOX_DRIVER: 'isolated' as const,
      SANDBOX_CGROUP_PARENT: TEST_CGROUP_PARENT,
      AUTO_PAUSE_CHECK_INTERVAL_MS: 200,
      SANDBOX_USAGE_SAMPLE_TTL_MS: 0,
    });

    beforeAll(async () => {
      app = await build(redis.server.url, { settings: settings() });
      worker = await buildWorker(redis.server.url, settings(), app);
      alice = caller(app, 'alice', 'd1');
    });
    afterAll(async () => {
      await worker.close();
      await app.close();
      await removeTestCgroups();
    });

    const execute = (sandboxId: string, command: string) =>
      alice.post(`/api/sandbox/${sandboxId}/tools/execute`, { tool: 'exec', input: { command } });

    it('answers pause only once the kernel reports the sandbox cgroup FROZEN, and resume once thawed', async () => {
      const sandbox = await alice.createSandbox();
      const queued = await execute(sandbox.id, 'while :; do sh -c true; done');
      const executionId = queued.json().data.executionId as string;
      await waitFor(
        async () =>
          (await alice.get(`/api/sandbox/${sandbox.id}/executions/${executionId}`)).json().data
            .state === 'running' && (await app.sandbox.driver.usage(sandbox.id)).processes > 0,
      );
      const paused = await alice.post(`/api/sandbox/pause/${sandbox.id}`);
      expect(paused.json().data.state).toBe('paused');
      const usage = await app.sandbox.driver.usage(sandbox.id);
      expect(usage.processes).toBeGreaterThan(0);
      if (v1) expect(freezerState(sandbox.id)).toBe('FROZEN');
      await alice.post(`/api/sandbox/resume/${sandbox.id}`);
      if (v1) expect(freezerState(sandbox.id)).toBe('THAWED');
      await alice.delete(`/api/sandbox/${sandbox.id}`);
    });

    it('terminates every process of the sandbox, double-forked setsid ones included, and removes its directory and cgroup', async () => {
      const sandbox = await alice.createSandbox();
      const marker = `${4000 + (process.pid % 1000)}.${Date.now() % 100_000}`;
      await execute(
        sandbox.id,
        `setsid sh -c 'env -i sleep ${marker} </dev/null >/dev/null 2>&1 &' </dev/null >/dev/null 2>&1; sleep 60`,
      );
      await waitFor(() => processesWith(`sleep ${marker}`).length > 0);
      expect((await alice.delete(`/api/sandbox/${sandbox.id}`)).statusCode).toBe(200);
      expect(processesWith(`sleep ${marker}`)).toEqual([]);
      expect(existsSync(join(root.path, sandbox.id))).toBe(false);
      if (v1)
        expect(existsSync(`/sys/fs/cgroup/freezer/${TEST_CGROUP_PARENT}/${sandbox.id}`)).toBe(
          false,
        );
    });

    it('auto-pauses on memory read from the sandbox cgroup', async () => {
      const sandbox = await alice.createSandbox({ settings: { autoPause: { maxMemoryMb: 20 } } });
      await execute(sandbox.id, `x=$(head -c 40000000 /dev/zero | tr '\\0' a); sleep 60`);
      const status = await waitFor(
        async () => {
          const data = (await alice.get(`/api/sandbox/${sandbox.id}/status`)).json().data;
          return data.state === 'paused' ? data : undefined;
        },
        { timeoutMs: 10_000 },
      );
      expect(status.pauseSource).toBe('auto:memory');
      await alice.delete(`/api/sandbox/${sandbox.id}`);
    });

    it('keeps a sandbox off the network even when its settings ask, unless the worker allows it', async () => {
      const bad = await alice.post('/api/sandbox', { settings: { autoPause: {}, network: 'yes' } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toMatchObject({ code: 'VALIDATION_ERROR' });
      expect(bad.json().error.details.fields[0].path).toBe('/settings/network');
      const sandbox = await alice.createSandbox({ settings: { autoPause: {}, network: true } });
      expect(sandbox).toMatchObject({ settings: { network: true } });
      const port = new URL(redis.server.url).port;
      const res = await alice.post(`/api/sandbox/${sandbox.id}/tools/execute?wait=10`, {
        tool: 'exec',
        input: { command: `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port}' && echo connected` },
      });
      expect(res.json().data.output.stdout).toBe('');
      // A settings update that does not mention network keeps it.
      await alice.put(`/api/sandbox/${sandbox.id}/pause-settings`, {
        autoPause: { idleTimeoutSec: 60 },
      });
      expect(
        (await alice.get(`/api/sandbox/${sandbox.id}/status`)).json().data.settings.network,
      ).toBe(true);
      await alice.delete(`/api/sandbox/${sandbox.id}`);
    });

    it('reports the isolation level on /health/ready and as a metric', async () => {
      const ready = (await app.inject('/health/ready')).json();
      expect(ready.checks['sandbox-driver'].info).toMatchObject({ isolation: 'isolated' });
      expect((await app.inject('/metrics')).body).toMatch(
        /sandbox_isolation_level\{[^}]*level="isolated"[^}]*\} 1/,
      );
    });
  },
);

describe.skipIf(unavailable !== undefined)('a freeze the kernel does not confirm', () => {
  const redis = useRedis();
  const root = useSandboxRoot();
  let app: TypedFastify;
  let alice: Caller;

  beforeAll(async () => {
    const real = selectDriver({
      ...runtimeSettings(),
      SANDBOX_DRIVER: 'isolated',
      SANDBOX_ROOT: root.path,
      SANDBOX_CGROUP_PARENT: TEST_CGROUP_PARENT,
    }).driver;
    // The one injected fault: a freezer that never reaches FROZEN cannot be produced on demand.
    const failing: SandboxDriver = {
      ...real,
      pause: () => Promise.reject(new Error('cgroup freezer did not reach FROZEN')),
    };
    app = await build(redis.server.url, { settings: { SANDBOX_ROOT: root.path }, driver: failing });
    alice = caller(app, 'alice', 'd1');
  });
  afterAll(async () => {
    await app.close();
    await removeTestCgroups();
  });

  it('moves the sandbox to error with the reason in its history and counts it', async () => {
    const sandbox = await alice.createSandbox();
    const res = await alice.post(`/api/sandbox/pause/${sandbox.id}`);
    expect(res.json().data.state).toBe('error');
    const history = (await alice.get(`/api/sandbox/${sandbox.id}/pause-history`)).json().data.items;
    expect(history[0]).toMatchObject({
      action: 'fail',
      from: 'paused',
      to: 'error',
      reason: 'freeze failed: cgroup freezer did not reach FROZEN',
    });
    expect((await app.inject('/metrics')).body).toMatch(
      /sandbox_driver_failures_total\{[^}]*operation="freeze"[^}]*\} 1/,
    );
    await alice.delete(`/api/sandbox/${sandbox.id}`);
  });
});
