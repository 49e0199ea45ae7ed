import { createFlagStore, flagCommands } from '@switchboard/flags';
import { type Publisher, createPublisher } from '@switchboard/room-log';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// What flag-service publishes on a flag change, called as flag-service calls it.
import { FLAG_OUTBOX, createFlagOutbox } from '../../flag-service/src/domain/flag-events.js';
import { createKeyspace } from '@switchboard/keyspace';
import { type RunningGateway, connect, startGateway, tokenFor, useRedis } from './helper.js';

/** The keys the apps under test use: they are built without a KEY_PREFIX. */
const keyspace = createKeyspace('');

describe('flag changes reach admins only', () => {
  const redis = useRedis();
  let gateway: RunningGateway;
  let publisherRedis: Redis;
  let publisher: Publisher;

  beforeAll(async () => {
    gateway = await startGateway(redis.server.url, { instanceId: 'gw-admin-room' });
    publisherRedis = new Redis(redis.server.url);
    publisher = createPublisher(publisherRedis, { keyspace });
  });
  afterAll(async () => {
    await gateway.close();
    await publisher.close();
    publisherRedis.disconnect();
  });

  it('sends flag.* to admins of any dealership in room admin, never to users in global, who cannot join it', async () => {
    const user = await connect(gateway.url, tokenFor('u1', 'A'));
    const adminA = await connect(gateway.url, tokenFor('root', 'A', 'admin'));
    const adminHq = await connect(gateway.url, tokenFor('ops', 'hq', 'admin'));
    expect(await user.subscribe('admin')).toMatchObject({
      type: 'error',
      code: 'FORBIDDEN',
      room: 'admin',
    });
    expect((await adminA.subscribe('admin')).type).toBe('subscribed');
    expect((await adminHq.subscribe('admin')).type).toBe('subscribed');

    const actor = { id: 'admin-of-B', dealershipId: 'B' };
    const created = await flagCommands(createFlagStore(publisherRedis, { keyspace })).create(
      'SECRET_LAUNCH',
      { enabled: false },
      { actor },
    );
    const flagEvents = createFlagOutbox({ redis: publisherRedis, keyspace });
    expect(created.flag.version).toBe(1);
    await flagEvents.relay(FLAG_OUTBOX);
    const toggled = await flagCommands(createFlagStore(publisherRedis, { keyspace })).toggle(
      'SECRET_LAUNCH',
      true,
      { actor, reason: 'launch for B' },
    );
    expect(toggled.flag.version).toBe(2);
    await flagEvents.relay(FLAG_OUTBOX);
    // A later global event: once the user has it, anything published before would have arrived.
    await publisher.publish({
      room: 'global',
      dealershipId: 'A',
      event: 'workflow.progress',
      data: { workflowId: 'after', progress: 1 },
    });

    for (const admin of [adminA, adminHq]) {
      await admin.waitFor((frame) => frame['event'] === 'flag.toggled', 'flag.toggled at an admin');
      expect(admin.events('admin').map((frame) => frame['event'])).toEqual([
        'flag.created',
        'flag.toggled',
      ]);
    }
    await user.waitFor((frame) => frame['event'] === 'workflow.progress', 'the later global event');
    expect(user.events().filter((frame) => String(frame['event']).startsWith('flag.'))).toEqual([]);
    for (const client of [user, adminA, adminHq]) client.close();
  });
});
