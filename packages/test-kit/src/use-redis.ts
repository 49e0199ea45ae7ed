import { type RedisServer, type StartRedisOptions, startRedis } from '@switchboard/test-redis';
import { afterAll, beforeAll } from 'vitest';

/** A private Redis for the calling test file, started before and removed after its tests. */
export function useRedis(options: StartRedisOptions = {}): { readonly server: RedisServer } {
  const holder = {} as { server: RedisServer };
  beforeAll(async () => {
    holder.server = await startRedis(options);
  });
  afterAll(async () => {
    await holder.server?.cleanup();
  });
  return holder;
}
