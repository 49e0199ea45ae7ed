import { roomKey } from '@switchboard/events';
import { createKeyspace } from '@switchboard/keyspace';
import { createRedis } from '@switchboard/redis';
import type { TypedFastify } from '@switchboard/service-kit';
import { waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, caller, type Caller, useRedis, useSandboxRoot } from './helper.js';

/** The keys the apps under test use: they are built without a KEY_PREFIX. */
const keyspace = createKeyspace('');

describe('a committed change always yields its event', () => {
  const redis = useRedis();
  const root = useSandboxRoot();
  let app: TypedFastify;
  let alice: Caller;

  beforeAll(async () => {
    app = await build(redis.server.url, {
      settings: { SANDBOX_ROOT: root.path, OUTBOX_SWEEP_EVERY_MS: 100, OUTBOX_SWEEP_AFTER_MS: 300 },
    });
    alice = caller(app, 'alice', 'd1');
  });
  afterAll(async () => {
    await app.close();
  });

  it('publishes the event of a transition whose process died between its commit and its publish', async () => {
    const sandbox = await alice.createSandbox();
    const subscriber = createRedis(redis.server.url);
    const received: Array<{
      event: string;
      data: { from: string; state: string; reason?: string };
    }> = [];
    await subscriber.subscribe(
      keyspace.realtime.roomChannel(roomKey('d1', `sandbox:${sandbox.id}`)),
    );
    subscriber.on('message', (_channel, raw) => received.push(JSON.parse(raw)));
    // What a process that dies right after the commit has done: marked, committed, nothing else.
    await app.sandbox.events.markPending(sandbox.id);
    const outcome = await app.sandbox.sandboxes.transition({
      id: sandbox.id,
      action: 'pause',
      actor: 'alice',
      source: 'api',
      reason: 'crash drill',
    });
    expect(outcome.kind).toBe('ok');
    const event = await waitFor(
      () => received.find((message) => message.event === 'sandbox.paused'),
      { timeoutMs: 5000, message: 'the swept event' },
    );
    expect(event.data).toMatchObject({ from: 'active', state: 'paused', reason: 'crash drill' });
    // The relay deletes the entry once published, so the outbox empties just after the event.
    await waitFor(async () => (await app.redis.exists(keyspace.sandbox.outbox(sandbox.id))) === 0, {
      message: 'the outbox emptied',
    });
    subscriber.disconnect();
  });
});
