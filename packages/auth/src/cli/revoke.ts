import { createKeyspace } from '@switchboard/keyspace';
import { createRedis } from '@switchboard/redis';
import { revokeToken } from '../revocation.js';

/** Without the token at hand its exp is unknown: the entry stays a year unless told otherwise. */
const DEFAULT_KEEP_MS = 365 * 86_400_000;

export async function revokeFromCli(
  jti: string,
  options: { redisUrl: string; keyPrefix: string; untilMs?: number },
): Promise<void> {
  const redis = createRedis(options.redisUrl);
  try {
    await revokeToken(
      redis,
      createKeyspace(options.keyPrefix).auth,
      jti,
      options.untilMs ?? Date.now() + DEFAULT_KEEP_MS,
    );
  } finally {
    redis.disconnect();
  }
}
