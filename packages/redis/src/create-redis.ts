import { Cluster, type ClusterNode, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';

export type RedisClient = Redis | Cluster;

export interface CreateRedisOptions {
  /** Connection name shown by CLIENT LIST, e.g. `gateway-gw1-sub`. */
  name?: string;
  /** BullMQ workers need `null` (block forever); request paths want a bound. Default 3. */
  maxRetriesPerRequest?: number | null;
  lazyConnect?: boolean;
  /** Called on each reconnect attempt, e.g. to count them in a metric. */
  onReconnectAttempt?: (attempt: number) => void;
  /**
   * Request paths: a command with no answer after this long fails ("Command timed out") instead
   * of waiting for a reconnect. Never on blocking or subscriber connections. Default: none.
   */
  commandTimeoutMs?: number;
  /**
   * Request paths: once connected, a command sent while the connection is down fails at once
   * instead of queueing until Redis returns (ioredis' offline queue); before the first
   * connection commands still queue, so a process may start before Redis answers.
   */
  failFastWhenDisconnected?: boolean;
}

/** Exponential backoff with full jitter, capped at 5 s, so a fleet does not reconnect in lockstep. */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(5_000, 50 * 2 ** Math.min(attempt, 10));
  return Math.max(50, Math.round(ceiling * random()));
}

/**
 * One place that turns REDIS_URL into a client: `redis://` and `rediss://` give a single node,
 * `redis+cluster://h1:p1,h2:p2` a Cluster client. Reconnects forever with backoff.
 */
export function createRedis(url: string, options: CreateRedisOptions = {}): RedisClient {
  const retryStrategy = (attempt: number) => {
    options.onReconnectAttempt?.(attempt);
    return reconnectDelayMs(attempt);
  };
  const common: RedisOptions = {
    ...(options.name ? { connectionName: options.name } : {}),
    maxRetriesPerRequest:
      options.maxRetriesPerRequest === undefined ? 3 : options.maxRetriesPerRequest,
    lazyConnect: options.lazyConnect ?? false,
    enableReadyCheck: true,
    ...(options.commandTimeoutMs ? { commandTimeout: options.commandTimeoutMs } : {}),
  };
  if (url.startsWith('redis+cluster://')) {
    const nodes = url
      .slice('redis+cluster://'.length)
      .split(',')
      .map((hostPort) => {
        const [host, port] = hostPort.split(':');
        return { host: host ?? '127.0.0.1', port: Number(port ?? 6379) };
      });
    // Auto-pipelining batches the commands a tick sends to each node: what commandBatch relies on
    // where a pipeline may not span nodes.
    return failFast(
      new Cluster(nodes, {
        clusterRetryStrategy: retryStrategy,
        redisOptions: common,
        enableAutoPipelining: true,
      }),
      options,
    );
  }
  return failFast(new Redis(url, { ...common, retryStrategy }), options);
}

/** ioredis copies a client's options into its duplicates: theirs (subscribers) must queue and wait as usual. */
const UNBOUNDED = { enableOfflineQueue: true, commandTimeout: undefined };

function failFast<T extends RedisClient>(client: T, options: CreateRedisOptions): T {
  if (!options.failFastWhenDisconnected && !options.commandTimeoutMs) return client;
  if (options.failFastWhenDisconnected) {
    client.once('ready', () => {
      client.options.enableOfflineQueue = false;
    });
  }
  if (client instanceof Cluster) {
    const duplicate = client.duplicate.bind(client);
    client.duplicate = (nodes?: ClusterNode[], override: ClusterOptions = {}) =>
      duplicate(nodes, {
        ...override,
        enableOfflineQueue: true,
        redisOptions: {
          ...client.options.redisOptions,
          ...override.redisOptions,
          commandTimeout: undefined,
        },
      });
  } else {
    const duplicate = (client as Redis).duplicate.bind(client);
    (client as Redis).duplicate = (override = {}) => duplicate({ ...override, ...UNBOUNDED });
  }
  return client;
}
