import { createFlagStore } from '@switchboard/flags';
import { ADMIN_ROOM, roomKey } from '@switchboard/events';
import { createKeyspace } from '@switchboard/keyspace';
import { createRedis } from '@switchboard/redis';
import type { TypedFastify } from '@switchboard/service-kit';
import { waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from './api.js';
import { build, useRedis } from './helper.js';

/** The keys the apps under test use: they are built without a KEY_PREFIX. */
const keyspace = createKeyspace('');

interface FlagEvent {
  event: string;
  data: { key: string; version: number; enabled: boolean };
}

describe('flag events agree with flag versions', () => {
  const redis = useRedis();
  const apps: TypedFastify[] = [];
  const events: FlagEvent[] = [];
  const subscriber = () => createRedis(redis.server.url);
  let listener: ReturnType<typeof subscriber>;

  beforeAll(async () => {
    apps.push(
      await build(redis.server.url, { outbox: { sweepEveryMs: 100, sweepAfterMs: 300 } }),
      await build(redis.server.url, { outbox: { sweepEveryMs: 100, sweepAfterMs: 300 } }),
    );
    listener = subscriber();
    await listener.subscribe(keyspace.realtime.roomChannel(roomKey('any', ADMIN_ROOM)));
    listener.on('message', (_channel, raw) => events.push(JSON.parse(raw) as FlagEvent));
  });
  afterAll(async () => {
    listener.disconnect();
    await Promise.all(apps.map((app) => app.close()));
  });

  it("publishes the events of concurrent toggles on two instances in version order, each with its version's state", async () => {
    const [a, b] = apps as [TypedFastify, TypedFastify];
    expect((await call(a, 'POST', '/api/flags', { key: 'CONTENDED' })).statusCode).toBe(201);
    const toggles = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        call(i % 2 ? a : b, 'POST', '/api/flags/CONTENDED/toggle', { enabled: i % 4 < 2 }),
      ),
    );
    // Optimistic writes may give up under this much contention (409); each success is a version.
    const versionsMade = 1 + toggles.filter((res) => res.statusCode === 200).length;
    expect(versionsMade).toBeGreaterThan(10);
    const mine = () => events.filter((message) => message.data.key === 'CONTENDED');
    await waitFor(() => mine().length === versionsMade, { message: `${versionsMade} flag events` });
    expect(mine().map((message) => message.data.version)).toEqual(
      Array.from({ length: versionsMade }, (_, i) => i + 1),
    );
    const versions = (await call(a, 'GET', '/api/flags/CONTENDED/versions?limit=100')).json().data
      .items as Array<{ version: number; flag: { enabled: boolean } }>;
    const enabledAt = new Map(versions.map((entry) => [entry.version, entry.flag.enabled]));
    expect(
      mine().filter((message) => message.data.enabled !== enabledAt.get(message.data.version)),
    ).toEqual([]);
  });

  it('publishes the event of a write whose writer never relayed it (another service, or a crash)', async () => {
    const writer = subscriber();
    // What sandbox-service does at its first start: it writes through the store, and relays nothing.
    await createFlagStore(writer, { keyspace }).write({
      key: 'BOOTSTRAPPED',
      action: 'create',
      actor: { id: 'sandbox-service' },
      expectedVersion: 0,
      next: () => ({
        body: {
          enabled: true,
          type: 'boolean',
          variants: { on: true, off: false },
          defaultVariant: 'on',
          description: '',
          tags: [],
          rules: [],
        },
        archived: false,
      }),
    });
    writer.disconnect();
    await waitFor(
      () =>
        events.some(
          (message) => message.data.key === 'BOOTSTRAPPED' && message.event === 'flag.created',
        ),
      { timeoutMs: 5000, message: 'the swept flag.created' },
    );
  });
});
