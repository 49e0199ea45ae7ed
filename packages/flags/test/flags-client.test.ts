import { OpenFeature, ProviderEvents } from '@openfeature/server-sdk';
import { createKeyspace } from '@switchboard/keyspace';
import { type RedisServer, startRedis, waitFor } from '@switchboard/test-redis';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type FlagChange,
  type FlagReader,
  type FlagsClient,
  type FlagsLogger,
  FLAGS,
  SwitchboardFlagsProvider,
  createFlagStore,
  createFlagsClient,
  flagCommands,
} from '../src/index.js';

const actor = { id: 'tester', dealershipId: 'd1' };

describe('in-process flags client', () => {
  let server: RedisServer;
  let admin: Redis;
  const clients: FlagsClient[] = [];
  const connections: Redis[] = [];
  let prefixCounter = 0;

  beforeAll(async () => {
    server = await startRedis();
    admin = new Redis(server.url);
    admin.on('error', () => undefined);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    for (const connection of connections.splice(0)) connection.disconnect();
  });
  afterAll(async () => {
    admin.disconnect();
    await server.cleanup();
  });

  /** Each test gets its own key prefix so they cannot see each other's flags. */
  function setup(options: { fallback?: boolean; registry?: Registry; logger?: FlagsLogger } = {}) {
    const keyspace = createKeyspace(`t${(prefixCounter += 1)}:`);
    const redis = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    redis.on('error', () => undefined);
    connections.push(redis);
    const client = createFlagsClient({ redis, keyspace, ...options });
    clients.push(client);
    const commands = flagCommands(createFlagStore(admin, { keyspace }));
    return { client, commands, keyspace };
  }

  it('loads every flag at start and evaluates locally', async () => {
    const { client, commands } = setup();
    await commands.create('A', { enabled: true }, { actor });
    await commands.create('B', { enabled: false }, { actor });
    await commands.create(
      'C',
      {
        variants: { small: 1, big: 9 },
        defaultVariant: 'big',
        enabled: true,
        rules: [
          {
            constraints: [{ attribute: 'dealershipId', operator: 'in', values: ['d1'] }],
            variant: 'small',
          },
        ],
      },
      { actor },
    );
    await client.start();
    expect(client.isEnabled('A')).toBe(true);
    expect(client.isEnabled('B')).toBe(false);
    expect(client.isEnabled('UNKNOWN')).toBe(false);
    expect(client.getValue('C', 0, { dealershipId: 'd1' })).toBe(1);
    expect(client.getValue('C', 0, { dealershipId: 'd2' })).toBe(9);
    expect(client.getValue('C', 'text', {})).toBe('text');
    expect(client.getValue('UNKNOWN', 5)).toBe(5);
  });

  it('answers the configured fallback for unknown flags', async () => {
    const { client } = setup({ fallback: true });
    await client.start();
    expect(client.isEnabled('NEVER_CREATED')).toBe(true);
  });

  it('applies changes within 100 ms and emits change events (measures the lag)', async () => {
    const registry = new Registry();
    const { client, commands } = setup({ registry });
    await commands.create('LIVE', { enabled: false }, { actor });
    await client.start();
    const changes: FlagChange[] = [];
    client.on('change', (change) => changes.push(change));
    const reader: FlagReader = client;
    const changedKeys: string[] = [];
    const unsubscribe = reader.onChange?.((key) => changedKeys.push(key));

    const lags: number[] = [];
    for (let i = 0; i < 50; i += 1) {
      const enabled = i % 2 === 0;
      const started = performance.now();
      await commands.toggle('LIVE', enabled, { actor });
      await waitFor(() => client.isEnabled('LIVE') === enabled, {
        timeoutMs: 2_000,
        intervalMs: 1,
        message: 'change applied',
      });
      lags.push(performance.now() - started);
    }
    lags.sort((a, b) => a - b);
    const p50 = lags[Math.floor(lags.length / 2)]!;
    const p99 = lags[lags.length - 1]!;
    console.warn(
      `flags SDK update lag (write -> local answer, 50 changes): p50 ${p50.toFixed(2)} ms, max ${p99.toFixed(2)} ms; publish -> apply ${client.lastLagMs} ms`,
    );
    expect(p50).toBeLessThan(100);
    expect(changes.filter((change) => change.source === 'message')).toHaveLength(50);
    expect(changes.at(-1)).toMatchObject({
      key: 'LIVE',
      flag: { version: 51 },
      previous: { version: 50 },
    });
    expect(await registry.metrics()).toContain('feature_flag_sdk_update_lag_seconds_count 50');
    expect(changedKeys).toHaveLength(50);
    unsubscribe?.();
    await commands.toggle('LIVE', true, { actor });
    await waitFor(() => changes.length === 51, { message: 'one more change' });
    expect(changedKeys).toHaveLength(50);
  });

  it('logs and ignores a change message that does not match the schema, and keeps applying valid ones', async () => {
    const warnings: string[] = [];
    const logger: FlagsLogger = {
      info: () => undefined,
      error: () => undefined,
      warn: (_details, message) => void warnings.push(message ?? ''),
    };
    const { client, commands, keyspace } = setup({ logger });
    await commands.create('GUARDED', { enabled: true }, { actor });
    await client.start();
    // A newer version with no definition in it: applying it would replace a good flag with a broken one.
    await admin.publish(
      keyspace.flags.changesChannel(),
      JSON.stringify({
        type: 'upsert',
        publishedAt: Date.now(),
        flag: { key: 'GUARDED', version: 99, enabled: false },
      }),
    );
    await admin.publish(keyspace.flags.changesChannel(), 'not json');
    await waitFor(() => warnings.length === 2, {
      timeoutMs: 2_000,
      message: 'both malformed messages logged',
    });
    expect(warnings).toEqual([
      'ignoring malformed flag change message',
      'ignoring malformed flag change message',
    ]);
    expect(client.getFlag('GUARDED')?.version).toBe(1);
    expect(client.isEnabled('GUARDED')).toBe(true);
    await commands.toggle('GUARDED', false, { actor });
    await waitFor(() => !client.isEnabled('GUARDED'), {
      timeoutMs: 2_000,
      message: 'valid change applied',
    });
  });

  it('ensureFlags creates absent flags as enabled, atomically, without overwriting', async () => {
    const { client, commands, keyspace } = setup();
    await commands.create(
      FLAGS.REDIS_WEBSOCKET_SCALING,
      { enabled: false },
      { actor, reason: 'operator turned it off' },
    );
    await client.start();
    const other = createFlagsClient({ redis: admin, keyspace });
    clients.push(other);
    const ensure = [
      { key: FLAGS.SANDBOX_PAUSE_RESUME, enabled: true, description: 'pause/resume endpoints' },
      { key: FLAGS.REDIS_WEBSOCKET_SCALING, enabled: true },
    ];
    await Promise.all([client.ensureFlags(ensure), other.ensureFlags(ensure)]);
    expect(client.isEnabled(FLAGS.SANDBOX_PAUSE_RESUME)).toBe(true);
    expect(client.isEnabled(FLAGS.REDIS_WEBSOCKET_SCALING)).toBe(false);
    const store = createFlagStore(admin, { keyspace });
    expect((await store.get(FLAGS.SANDBOX_PAUSE_RESUME))?.version).toBe(1);
    expect((await store.get(FLAGS.REDIS_WEBSOCKET_SCALING))?.version).toBe(1);
  });

  it('keeps answering from the last snapshot while Redis is down, then re-syncs fully: no stale flag survives', async () => {
    const { client, commands, keyspace } = setup();
    await commands.create('KEEP', { enabled: true }, { actor });
    await commands.create('GONE', { enabled: true }, { actor });
    await client.start();
    await client.ensureFlags([{ key: FLAGS.SANDBOX_PAUSE_RESUME, enabled: true }]);
    const synced: number[] = [];
    client.on('synced', ({ flags }) => synced.push(flags));

    await server.kill();
    expect(client.isEnabled('KEEP')).toBe(true);
    expect(client.isEnabled('GONE')).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(client.isEnabled('KEEP')).toBe(true);

    // The restarted Redis has lost everything (no persistence): GONE's disappearance and KEEP's
    // new definition were never published to this client, so only a full re-sync can show them.
    await server.start();
    const fresh = new Redis(server.url);
    connections.push(fresh);
    await flagCommands(createFlagStore(fresh, { keyspace })).create(
      'KEEP',
      { enabled: false },
      { actor },
    );

    await waitFor(
      () => synced.length > 0 && !client.isEnabled('KEEP') && client.getFlag('GONE') === undefined,
      { timeoutMs: 15_000, message: 're-sync after restart' },
    );
    expect(client.isEnabled('GONE')).toBe(false);
    // Well-known flags it ensured are created again in the emptied Redis.
    expect(client.isEnabled(FLAGS.SANDBOX_PAUSE_RESUME)).toBe(true);
    expect(
      await createFlagStore(fresh, { keyspace }).get(FLAGS.SANDBOX_PAUSE_RESUME),
    ).toMatchObject({ enabled: true, version: 1 });

    // And live updates flow again after the reconnect.
    await flagCommands(createFlagStore(fresh, { keyspace })).toggle('KEEP', true, { actor });
    await waitFor(() => client.isEnabled('KEEP'), {
      timeoutMs: 2_000,
      message: 'live update after reconnect',
    });
    admin.disconnect();
    admin = new Redis(server.url);
    admin.on('error', () => undefined);
  });

  it('serves the OpenFeature API in-process through SwitchboardFlagsProvider', async () => {
    const { client, commands } = setup();
    await commands.create('OF_BOOL', { enabled: true }, { actor });
    await commands.create(
      'OF_TEXT',
      {
        variants: { a: 'alpha', b: 'beta' },
        defaultVariant: 'a',
        enabled: true,
        rules: [
          {
            constraints: [{ attribute: 'targetingKey', operator: 'ends_with', values: ['-b'] }],
            variant: 'b',
          },
        ],
      },
      { actor },
    );
    await OpenFeature.setProviderAndWait('in-process', new SwitchboardFlagsProvider(client, true));
    const of = OpenFeature.getClient('in-process');
    expect(await of.getBooleanValue('OF_BOOL', false)).toBe(true);
    expect(await of.getStringDetails('OF_TEXT', 'x', { targetingKey: 'user-b' })).toMatchObject({
      value: 'beta',
      variant: 'b',
      reason: 'TARGETING_MATCH',
    });
    expect(await of.getStringDetails('MISSING', 'x')).toMatchObject({
      value: 'x',
      errorCode: 'FLAG_NOT_FOUND',
    });
    expect(await of.getNumberDetails('OF_BOOL', 3)).toMatchObject({
      value: 3,
      errorCode: 'TYPE_MISMATCH',
    });

    const changed: string[] = [];
    of.addHandler(ProviderEvents.ConfigurationChanged, (details) =>
      changed.push(...(details?.flagsChanged ?? [])),
    );
    await commands.toggle('OF_BOOL', false, { actor });
    await waitFor(() => changed.includes('OF_BOOL'), { message: 'configuration changed event' });
    expect(await of.getBooleanValue('OF_BOOL', true)).toBe(false);
    await OpenFeature.close();
  });
});
