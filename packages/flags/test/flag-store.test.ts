import { createKeyspace } from '@switchboard/keyspace';
import { type RedisServer, startRedis } from '@switchboard/test-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FlagStoreError,
  createFlagStore,
  createFlagsClient,
  flagCommands,
  jsonDiff,
} from '../src/index.js';

const actor = { id: 'tester', dealershipId: 'd1' };

describe('flag store', () => {
  let server: RedisServer;
  let redis: Redis;
  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.cleanup();
  });

  it('writes flag, index, version, both audit streams and the change message together', async () => {
    const keyspace = createKeyspace('s1:');
    const store = createFlagStore(redis, { keyspace });
    const subscriber = new Redis(server.url);
    const messages: string[] = [];
    subscriber.on('message', (_channel: string, message: string) => messages.push(message));
    await subscriber.subscribe(keyspace.flags.changesChannel());
    try {
      const { flag } = await flagCommands(store).create(
        'W',
        { enabled: true, tags: ['a'] },
        { actor, reason: 'why' },
      );
      expect(JSON.parse((await redis.get(keyspace.flags.flag('W')))!)).toEqual(flag);
      expect(await redis.smembers(keyspace.flags.index())).toEqual(['W']);
      expect(await redis.llen(keyspace.flags.versions('W'))).toBe(1);
      expect(await redis.xlen(keyspace.flags.audit())).toBe(1);
      expect(await redis.xlen(keyspace.flags.flagAudit('W'))).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(messages.map((m) => JSON.parse(m))).toEqual([
        expect.objectContaining({ type: 'upsert', flag, publishedAt: expect.any(Number) }),
      ]);
    } finally {
      subscriber.disconnect();
    }
  });

  it('writes nothing when the definition is invalid or the version is stale', async () => {
    const keyspace = createKeyspace('s2:');
    const store = createFlagStore(redis, { keyspace });
    const commands = flagCommands(store);
    await expect(
      commands.create('BAD', { defaultVariant: 'nope' }, { actor }),
    ).rejects.toMatchObject({ kind: 'invalid' });
    expect(await redis.exists(keyspace.flags.flag('BAD'), keyspace.flags.versions('BAD'))).toBe(0);
    await commands.create('V', {}, { actor });
    const stale = commands.toggle('V', true, { actor, expectedVersion: 0 });
    await expect(stale).rejects.toBeInstanceOf(FlagStoreError);
    await expect(stale).rejects.toMatchObject({
      kind: 'version_conflict',
      details: { expectedVersion: 0, currentVersion: 1 },
    });
    expect(await redis.llen(keyspace.flags.versions('V'))).toBe(1);
    expect(await redis.xlen(keyspace.flags.flagAudit('V'))).toBe(1);
  });

  it('never lets an older version replace a newer one in the client snapshot', async () => {
    const keyspace = createKeyspace('s3:');
    const store = createFlagStore(redis, { keyspace });
    const { flag: v1 } = await flagCommands(store).create('ORDER', {}, { actor });
    const { flag: v2 } = await flagCommands(store).toggle('ORDER', true, { actor });
    const client = createFlagsClient({ redis, keyspace });
    expect(client.apply(v2)).toBe(true);
    expect(client.apply(v1)).toBe(false);
    expect(client.getFlag('ORDER')?.version).toBe(2);
  });

  it('diffs JSON leaves with pointers', () => {
    expect(jsonDiff({ a: 1, b: { c: [1] }, d: 'x' }, { a: 1, b: { c: [2] }, e: true })).toEqual([
      { path: '/b/c', from: [1], to: [2] },
      { path: '/d', from: 'x' },
      { path: '/e', to: true },
    ]);
  });
});
