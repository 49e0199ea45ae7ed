import type { RedisClient } from './create-redis.js';

const LOST = new Set(['reconnecting', 'close', 'end']);

/**
 * Readiness of a connection without waiting on it: a client that lost its connection answers at
 * once (a PING would sit in the offline queue, or retry forever on a BullMQ connection); one that
 * is connected, or connecting, must answer PING within `timeoutMs`.
 */
export async function redisReachable(client: RedisClient, timeoutMs = 500): Promise<'PONG'> {
  if (LOST.has(client.status)) throw new Error(`redis connection is ${client.status}`);
  let timer: NodeJS.Timeout | undefined;
  const ping = client.ping();
  // A PING that loses the race may still fail later (the connection closes): that answer is moot.
  ping.catch(() => undefined);
  try {
    const answer = await Promise.race([
      ping,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`redis PING unanswered after ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
    if (answer !== 'PONG') throw new Error(`unexpected PING answer ${answer}`);
    return answer;
  } finally {
    clearTimeout(timer);
  }
}
