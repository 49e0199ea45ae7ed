import { Cluster, type ChainableCommander } from 'ioredis';
import type { RedisClient } from './create-redis.js';

type Reply = [Error | null, unknown];

/**
 * Commands sent together whose keys may sit in different Cluster slots (a heartbeat over many
 * connections, a page of records). On one node it is a plain pipeline: one write, one round
 * trip. A Cluster refuses a pipeline that spans nodes, so there each command goes on its own;
 * the Cluster client (auto-pipelined, see createRedis) still batches them per node and tick.
 * `exec()` answers like a pipeline's: one [error, reply] per command, in order. Not atomic in
 * either case; use MULTI or a script (keys in one slot) where atomicity matters.
 */
export function commandBatch(redis: RedisClient): ChainableCommander {
  if (!(redis instanceof Cluster)) return redis.pipeline();
  const queued: Array<{ name: string; args: unknown[] }> = [];
  const send = (name: string, args: unknown[]): Promise<Reply> =>
    (redis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]!(
      ...args,
    ).then(
      (reply): Reply => [null, reply],
      (error: Error): Reply => [error, null],
    );
  const batch: ChainableCommander = new Proxy({} as ChainableCommander, {
    get(_target, property) {
      if (property === 'exec')
        return () => Promise.all(queued.splice(0).map(({ name, args }) => send(name, args)));
      if (property === 'length') return queued.length;
      if (
        typeof property !== 'string' ||
        typeof (redis as unknown as Record<string, unknown>)[property] !== 'function'
      )
        return undefined;
      return (...args: unknown[]) => {
        queued.push({ name: property, args });
        return batch;
      };
    },
  });
  return batch;
}
