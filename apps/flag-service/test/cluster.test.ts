import type { TypedFastify } from '@switchboard/service-kit';
import { type RedisClusterServer, startRedisCluster, waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, user } from './api.js';
import { build } from './helper.js';

// REDIS_URL=redis+cluster://…: the flag store's scripts, its change channel and two instances'
// in-process SDKs on a real 3-master Redis Cluster.
describe('flag-service on a Redis Cluster', () => {
  let cluster: RedisClusterServer;
  let one: TypedFastify;
  let two: TypedFastify;

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    [one, two] = await Promise.all([build(cluster.url), build(cluster.url)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([one?.close(), two?.close()]);
    await cluster?.cleanup();
  });

  it('creates, toggles, rolls back and audits a flag, and every instance evaluates the change', async () => {
    expect(
      (await call(one, 'POST', '/api/flags', { key: 'CLUSTER_FLAG', enabled: true })).statusCode,
    ).toBe(201);
    const evaluate = (app: TypedFastify) =>
      call(
        app,
        'POST',
        '/api/flags/CLUSTER_FLAG/evaluate',
        { context: { targetingKey: 'u1' } },
        { token: user },
      );
    await waitFor(async () => (await evaluate(two)).json().data?.value === true, {
      message: 'the other instance sees the new flag',
    });
    expect(
      (
        await call(one, 'POST', '/api/flags/CLUSTER_FLAG/toggle', {
          enabled: false,
          reason: 'incident',
        })
      ).statusCode,
    ).toBe(200);
    await waitFor(async () => (await evaluate(two)).json().data?.reason === 'DISABLED', {
      message: 'the other instance sees the toggle',
    });
    const rollback = await call(one, 'POST', '/api/flags/CLUSTER_FLAG/rollback', {
      version: 1,
      reason: 'back',
    });
    expect(rollback.json().data).toMatchObject({ version: 3, enabled: true });
    expect(
      (await call(two, 'GET', '/api/flags/CLUSTER_FLAG/versions')).json().data.items,
    ).toHaveLength(3);
    const audit = (await call(two, 'GET', '/api/flags/CLUSTER_FLAG/audit')).json().data.items;
    expect(audit.map((entry: { action: string }) => entry.action)).toEqual([
      'rollback',
      'toggle',
      'create',
    ]);
    const ofrep = await two.inject({
      method: 'POST',
      url: '/ofrep/v1/evaluate/flags',
      headers: { authorization: `Bearer ${user}` },
      payload: { context: { targetingKey: 'u1' } },
    });
    expect(ofrep.json().flags).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: 'CLUSTER_FLAG', value: true })]),
    );
  });
});
