import { roomKey } from '@switchboard/events';
import { createKeyspace } from '@switchboard/keyspace';
import { createRedis } from '@switchboard/redis';
import type { TypedFastify } from '@switchboard/service-kit';
import { waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxProcesses } from '../src/drivers/proc-table.js';
import type { SandboxWorker } from '../src/workers/index.js';
import { build, buildWorker, caller, type Caller, useRedis, useSandboxRoot } from './helper.js';

/** The keys the apps under test use: they are built without a KEY_PREFIX. */
const keyspace = createKeyspace('');

describe('auto-pause policies', () => {
  const redis = useRedis();
  const root = useSandboxRoot();
  let app: TypedFastify;
  let workers: SandboxWorker[];
  let alice: Caller;

  beforeAll(async () => {
    // Freezing is checked through the process driver's /proc view (state T); see isolation-api.test.ts.
    const settings = {
      SANDBOX_DRIVER: 'process' as const,
      SANDBOX_ROOT: root.path,
      SANDBOX_ALLOW_EXEC: true,
      AUTO_PAUSE_CHECK_INTERVAL_MS: 200,
    };
    app = await build(redis.server.url, { settings });
    // Two workers: each tick runs once and the atomic transition prevents a double pause.
    workers = [
      await buildWorker(redis.server.url, settings, app),
      await buildWorker(redis.server.url, settings),
    ];
    alice = caller(app, 'alice', 'd1');
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    await app.close();
  });

  // Reads Redis directly: an API call would itself count as activity.
  const pausedBy = (id: string, timeoutMs: number) =>
    waitFor(
      async () => {
        const sandbox = await app.sandbox.sandboxes.get(id);
        return sandbox?.state === 'paused' ? sandbox : undefined;
      },
      { timeoutMs, message: `sandbox ${id} to be auto-paused` },
    );
  const autoEntries = async (id: string) =>
    (await app.sandbox.sandboxes.history(id, { limit: 100 })).entries.filter((entry) =>
      entry.source.startsWith('auto:'),
    );

  it('pauses an idle sandbox once, records auto:idle and publishes it', async () => {
    const subscriber = createRedis(redis.server.url);
    const events: Array<{ event: string; data: Record<string, unknown> }> = [];
    subscriber.on('pmessage', (_p: string, _c: string, raw: string) =>
      events.push(JSON.parse(raw)),
    );
    await subscriber.psubscribe(keyspace.realtime.roomChannel(roomKey('d1', 'sandbox:*')));
    const startedAt = Date.now();
    const sandbox = await alice.createSandbox({ settings: { autoPause: { idleTimeoutSec: 1 } } });
    const paused = await pausedBy(sandbox.id, 8_000);
    expect(paused.pauseSource).toBe('auto:idle');
    expect(paused.pausedAt! - startedAt).toBeGreaterThanOrEqual(1000);
    await new Promise((resolve) => setTimeout(resolve, 600)); // further ticks must not act again
    const entries = await autoEntries(sandbox.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: 'pause',
      from: 'active',
      to: 'paused',
      actor: 'system',
      source: 'auto:idle',
    });
    await waitFor(() =>
      events.some(
        (event) => event.event === 'sandbox.paused' && event.data['sandboxId'] === sandbox.id,
      ),
    );
    expect(
      events.find(
        (event) => event.event === 'sandbox.paused' && event.data['sandboxId'] === sandbox.id,
      )?.data,
    ).toMatchObject({ source: 'auto:idle', actor: 'system' });
    await subscriber.quit();
  });

  it('keeps a sandbox with API activity awake', async () => {
    // A call every ~250 ms for twice the idle timeout. The timeout is 2 s, not 1 s, so that a
    // loaded machine delaying one call by a few hundred ms does not leave a real idle gap.
    const sandbox = await alice.createSandbox({ settings: { autoPause: { idleTimeoutSec: 2 } } });
    const awakeUntil = Date.now() + 4_000;
    while (Date.now() < awakeUntil) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect((await alice.get(`/api/sandbox/${sandbox.id}/status`)).json().data.state).toBe(
        'active',
      );
    }
    await pausedBy(sandbox.id, 8_000);
  });

  it('pauses when an execution runs longer than maxExecutionTimeSec, and freezes it', async () => {
    const sandbox = await alice.createSandbox({
      settings: { autoPause: { maxExecutionTimeSec: 1 } },
    });
    const { executionId } = (
      await alice.post(`/api/sandbox/${sandbox.id}/tools/execute`, {
        tool: 'sleep',
        input: { ms: 20_000 },
      })
    ).json().data;
    const paused = await pausedBy(sandbox.id, 10_000);
    expect(paused.pauseSource).toBe('auto:max-execution');
    expect(paused.pauseReason).toContain(executionId);
    const execution = (await app.sandbox.executions.get(sandbox.id, executionId))!;
    expect(paused.pausedAt! - execution.startedAt!).toBeGreaterThanOrEqual(1000);
    await waitFor(
      async () => {
        const processes = await sandboxProcesses(sandbox.id);
        return processes.length > 0 && processes.every((entry) => entry.state === 'T');
      },
      { message: 'the execution to be frozen' },
    );
    expect(await autoEntries(sandbox.id)).toHaveLength(1);
    // Resuming on purpose lets that execution go on: the rule does not fire twice for it.
    await alice.post(`/api/sandbox/resume/${sandbox.id}`);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect((await app.sandbox.sandboxes.get(sandbox.id))!.state).toBe('active');
    expect(await autoEntries(sandbox.id)).toHaveLength(1);
    await alice.delete(`/api/sandbox/${sandbox.id}`);
  });

  it("pauses when the sandbox's processes use more than maxMemoryMb", async () => {
    const sandbox = await alice.createSandbox({ settings: { autoPause: { maxMemoryMb: 40 } } });
    const hog = `${process.execPath} -e "const b = Buffer.alloc(120 * 1024 * 1024, 1); setInterval(() => b[0]++, 100)"`;
    await alice.post(`/api/sandbox/${sandbox.id}/tools/execute`, {
      tool: 'exec',
      input: { command: hog },
      timeoutMs: 60_000,
    });
    const paused = await pausedBy(sandbox.id, 15_000);
    expect(paused.pauseSource).toBe('auto:memory');
    expect(paused.pauseReason).toMatch(/above 40 MiB/);
    const usage = (await alice.get(`/api/sandbox/${sandbox.id}/status`)).json().data.usage;
    expect(usage.rssBytes).toBeGreaterThan(40 * 1024 * 1024);
    expect(await autoEntries(sandbox.id)).toHaveLength(1);
    await alice.delete(`/api/sandbox/${sandbox.id}`);
  });

  it('stops checking a terminated sandbox', async () => {
    const sandbox = await alice.createSandbox({ settings: { autoPause: { idleTimeoutSec: 60 } } });
    const key = `auto-pause:${sandbox.id}`;
    expect((await app.sandbox.queues.autoPause.getJobSchedulers()).map((s) => s.key)).toContain(
      key,
    );
    await alice.delete(`/api/sandbox/${sandbox.id}`);
    expect((await app.sandbox.queues.autoPause.getJobSchedulers()).map((s) => s.key)).not.toContain(
      key,
    );
  });
});
