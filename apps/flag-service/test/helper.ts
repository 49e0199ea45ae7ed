import { createKeyspace } from '@switchboard/keyspace';
import { tokenMinter } from '@switchboard/test-kit';
import type { TypedFastify } from '@switchboard/service-kit';
import { type AppOptions, buildApp } from '../src/app.js';

const TEST_SECRET = 'test-secret-for-flag-service';

export const tokenFor = tokenMinter(TEST_SECRET);

export { useRedis } from '@switchboard/test-kit';

/** The app on the test file's Redis; close it in afterEach/afterAll. */
export async function build(
  redisUrl: string,
  options: Pick<AppOptions, 'outbox' | 'protection'> = {},
): Promise<TypedFastify> {
  const app = await buildApp({
    redisUrl,
    keyspace: createKeyspace(''),
    auth: { secret: TEST_SECRET },
    logLevel: 'silent',
    ...options,
  });
  await app.ready();
  return app;
}
