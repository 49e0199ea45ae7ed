import { Redis, type RedisOptions } from 'ioredis';

/**
 * One short-lived connection that never retries, for asking whether a Redis is up: `ask`'s
 * answer, or undefined when Redis cannot be reached or the question fails.
 */
export async function probeRedis<T>(
  target: string | { port: number; host: string },
  ask: (client: Redis) => Promise<T>,
  options: Pick<RedisOptions, 'connectTimeout'> = {},
): Promise<T | undefined> {
  const probe: RedisOptions = {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    ...options,
  };
  const client =
    typeof target === 'string' ? new Redis(target, probe) : new Redis({ ...target, ...probe });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await ask(client);
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}
