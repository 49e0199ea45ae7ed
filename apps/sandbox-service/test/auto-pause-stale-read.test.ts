import type { TypedFastify } from '@switchboard/service-kit';
import type { Job } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxRecord } from '../src/domain/sandbox-store.js';
import type { SandboxRuntime } from '../src/runtime/sandbox-runtime.js';
import type { AutoPauseJobData } from '../src/schemas/control.js';
import { createAutoPauseProcessor } from '../src/workers/auto-pause-processor.js';
import { build, caller, useRedis, useSandboxRoot } from './helper.js';

// An auto-pause tick decides on a read of the sandbox; what lands between that read and the
// pause must win. The tick runs here on the app's real runtime and Redis; only its read is
// followed, at once, by what a concurrent request or operator would do.
describe('auto-pause decided on a read that is stale by the time it acts', () => {
  const redis = useRedis();
  const root = useSandboxRoot();
  let app: TypedFastify;

  beforeAll(async () => {
    app = await build(redis.server.url, { settings: { SANDBOX_ROOT: root.path } });
  });
  afterAll(async () => {
    await app.close();
  });

  /** The real processor, with `afterRead` run right after it read the sandbox. */
  const tickWith = (afterRead: (sandbox: SandboxRecord) => Promise<void>) => {
    const runtime: SandboxRuntime = app.sandbox;
    const racing: SandboxRuntime = {
      ...runtime,
      sandboxes: {
        ...runtime.sandboxes,
        get: async (id: string) => {
          const sandbox = await runtime.sandboxes.get(id);
          if (sandbox) await afterRead(sandbox);
          return sandbox;
        },
      },
    };
    const processor = createAutoPauseProcessor({
      runtime: racing,
      metrics: app.sandboxMetrics,
      log: pino({ level: 'silent' }),
    });
    return (sandboxId: string) => processor({ data: { sandboxId } } as Job<AutoPauseJobData>);
  };

  it('does not pause an idle sandbox that saw activity after the read', async () => {
    const alice = caller(app, 'alice', 'd1');
    const sandbox = await alice.createSandbox({ settings: { autoPause: { idleTimeoutSec: 1 } } });
    await app.sandbox.sandboxes.touch(sandbox.id, Date.now() - 5_000);
    const tick = tickWith(async (read) => {
      await app.sandbox.sandboxes.touch(read.id, read.lastActivityAt + 4_000);
    });
    expect(await tick(sandbox.id)).toBe('raced');
    expect((await app.sandbox.sandboxes.get(sandbox.id))?.state).toBe('active');
    expect(
      (await app.sandbox.sandboxes.history(sandbox.id, { limit: 10 })).entries.filter(
        (entry) => entry.source === 'auto:idle',
      ),
    ).toHaveLength(0);
    // Without the interference the same tick pauses it.
    await app.sandbox.sandboxes.touch(sandbox.id, Date.now() - 5_000);
    expect(await tickWith(async () => undefined)(sandbox.id)).toBe('auto:idle');
  });

  it('does not pause a sandbox that was paused and resumed after the read', async () => {
    const alice = caller(app, 'alice', 'd1');
    const sandbox = await alice.createSandbox({ settings: { autoPause: { idleTimeoutSec: 1 } } });
    await app.sandbox.sandboxes.touch(sandbox.id, Date.now() - 5_000);
    const tick = tickWith(async (read) => {
      // An operator's pause and resume, each a real transition; the resume is not activity here
      // because the read's idle picture is what is being tested.
      await app.sandbox.sandboxes.transition({
        id: read.id,
        action: 'pause',
        actor: 'op',
        source: 'api',
        now: Date.now(),
      });
      await app.sandbox.sandboxes.transition({
        id: read.id,
        action: 'resume',
        actor: 'op',
        source: 'api',
        now: Date.now() + 1,
      });
      await app.sandbox.sandboxes.touch(read.id, read.lastActivityAt);
    });
    expect(await tick(sandbox.id)).toBe('raced');
    const entries = (await app.sandbox.sandboxes.history(sandbox.id, { limit: 10 })).entries;
    expect(entries.slice(0, 2).map((entry) => `${entry.action}:${entry.source}`)).toEqual([
      'resume:api',
      'pause:api',
    ]);
    expect(entries.filter((entry) => entry.source.startsWith('auto:'))).toHaveLength(0);
    expect((await app.sandbox.sandboxes.get(sandbox.id))?.state).toBe('active');
  });
});
