import { fileURLToPath } from 'node:url';
import { mintToken } from '@switchboard/auth';
import { SwitchboardClient, type WebSocketConstructor } from '@switchboard/client';
import { FLAGS } from '@switchboard/flags';
import { createKeyspace } from '@switchboard/keyspace';
import { type Publisher, createPublisher } from '@switchboard/room-log';
import { type RedisServer, startRedis, waitFor } from '@switchboard/test-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ServiceProcess, spawnService } from '@switchboard/test-kit';

/** The keys the apps under test use: they are built without a KEY_PREFIX. */
const keyspace = createKeyspace('');

// Both services as built (`pnpm --filter @switchboard/realtime-gateway build` builds flag-service
// too): an admin flips REDIS_WEBSOCKET_SCALING on the flag service and the gateway process follows.
const gatewayEntry = fileURLToPath(new URL('../dist/server.js', import.meta.url));
const flagServiceEntry = fileURLToPath(
  new URL('../../flag-service/dist/server.js', import.meta.url),
);
const secret = 'flag-toggle-live-test-secret';
const KEY = FLAGS.REDIS_WEBSOCKET_SCALING;
/** The bound the issue sets for a flag change to show in another service. */
const WITHIN_MS = 1_000;

describe('REDIS_WEBSOCKET_SCALING toggled on flag-service, followed live by a gateway process', () => {
  let redis: RedisServer;
  let inspect: Redis;
  let publisher: Publisher;
  let gateway: ServiceProcess;
  let flagService: ServiceProcess;
  let client: SwitchboardClient | undefined;
  let lateClient: SwitchboardClient | undefined;
  const received: number[] = [];
  const admin = {
    authorization: `Bearer ${mintToken({ sub: 'ops', dealershipId: 'hq', role: 'admin' }, { secret })}`,
    'content-type': 'application/json',
  };

  beforeAll(async () => {
    redis = await startRedis();
    inspect = new Redis(redis.url);
    publisher = createPublisher(inspect, { keyspace });
    const env = { REDIS_URL: redis.url, JWT_SECRET: secret };
    // The gateway creates the flag (enabled) at first start; the flag service then manages it.
    gateway = await spawnService(gatewayEntry, {
      ...env,
      INSTANCE_ID: 'gw-live',
      DRAIN_MS: '500',
      REGISTRY_TTL_MS: '30000',
    });
    flagService = await spawnService(flagServiceEntry, env);
  }, 45_000);
  afterAll(async () => {
    client?.close();
    lateClient?.close();
    await Promise.all([gateway?.stop('SIGKILL'), flagService?.stop('SIGKILL')]);
    await publisher?.close();
    inspect?.disconnect();
    await redis?.cleanup();
  });

  const flagApi = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${flagService.http}/api/flags/${KEY}${path}`, {
      method,
      headers: admin,
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    return ((await res.json()) as { data: { version: number; enabled: boolean } }).data;
  };
  const mode = async () =>
    ((await (await fetch(`${gateway.http}/health/websocket`)).json()) as { mode: string }).mode;
  const inCluster = async () =>
    (await inspect.zscore(keyspace.realtime.instances(), 'gw-live')) !== null;
  const connectionEntry = async (clientId: string) =>
    (await inspect.hget(keyspace.realtime.connection(clientId), 'instance')) ?? undefined;
  const scalingGauge = async () =>
    /^websocket_scaling_enabled(?:{[^}]*})? (\d)/m.exec(
      await (await fetch(`${gateway.http}/metrics`)).text(),
    )?.[1];

  /** Publishes one event and waits (bounded) until the open client has it. */
  const deliveredLive = async (progress: number) => {
    await publisher.publish({
      room: 'project:live',
      dealershipId: 'A',
      event: 'workflow.progress',
      data: { workflowId: 'w', progress },
    });
    await waitFor(() => received.includes(progress), {
      timeoutMs: 5_000,
      message: `event ${progress} delivered`,
    });
  };

  /** Polls every 10 ms until `check` holds; fails after 1 s; returns how long it took. */
  const within = async (check: () => Promise<boolean>, message: string) => {
    const started = Date.now();
    await waitFor(check, { timeoutMs: WITHIN_MS, intervalMs: 10, message });
    return Date.now() - started;
  };

  it('starts in scaled mode with the flag created enabled at first start', async () => {
    const flag = await flagApi('GET', '');
    expect(flag).toMatchObject({ enabled: true });
    expect(await mode()).toBe('redis');
    expect(await inCluster()).toBe(true);
    expect(await scalingGauge()).toBe('1');
  });

  const sdk = (sub: string) =>
    new SwitchboardClient({
      url: `ws://127.0.0.1:${gateway.port}/ws`,
      token: mintToken({ sub, dealershipId: 'A', role: 'user' }, { secret }),
      WebSocket: WebSocket as unknown as WebSocketConstructor,
    });

  it('switches to single-instance mode within 1 s of the toggle, and back within 1 s of the rollback; open connections work throughout', async () => {
    client = sdk('u1');
    client.onAny(
      (_event, data, meta) =>
        meta.room === 'project:live' && received.push((data as { progress: number }).progress),
    );
    await client.connect();
    await client.subscribe('project:live');
    const clientId = client.clientId!;
    await waitFor(async () => (await connectionEntry(clientId)) === 'gw-live', {
      message: 'connection registered',
    });
    await deliveredLive(1);
    const before = await flagApi('GET', '');

    const off = await flagApi('POST', '/toggle', {
      enabled: false,
      reason: 'single-instance drill',
    });
    expect(off).toMatchObject({ enabled: false, version: before.version + 1 });
    const offMs = await within(
      async () =>
        (await mode()) === 'single-instance' &&
        !(await inCluster()) &&
        (await connectionEntry(clientId)) === undefined,
      'single-instance mode',
    );
    expect(await scalingGauge()).toBe('0');
    // The connection opened in scaled mode keeps receiving, and the instance stays out of the cluster.
    await deliveredLive(2);
    // A connection opened in single-instance mode is not registered...
    lateClient = sdk('u2');
    await lateClient.connect();
    await lateClient.subscribe('project:live');
    const lateId = lateClient.clientId!;
    await deliveredLive(3);
    expect(await connectionEntry(lateId)).toBeUndefined();
    expect(await inCluster()).toBe(false);

    const back = await flagApi('POST', '/rollback', {
      version: before.version,
      reason: 'drill over',
    });
    expect(back).toMatchObject({ enabled: true, version: before.version + 2 });
    // Back in the cluster; both open connections are registered (again), with their rooms.
    const onMs = await within(
      async () =>
        (await mode()) === 'redis' &&
        (await inCluster()) &&
        (await connectionEntry(clientId)) === 'gw-live' &&
        (await connectionEntry(lateId)) === 'gw-live',
      'scaled mode',
    );
    expect(await scalingGauge()).toBe('1');
    expect(await inspect.hexists(keyspace.realtime.subscriptions(lateId), 'project:live')).toBe(1);
    await deliveredLive(4);
    expect([client.clientId, lateClient.clientId]).toEqual([clientId, lateId]); // never reconnected
    expect(received).toEqual([1, 2, 3, 4]);
    console.warn(`REDIS_WEBSOCKET_SCALING: off observed after ${offMs} ms, on after ${onMs} ms`);
  });
});
