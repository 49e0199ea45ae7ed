import type { Cluster, Redis } from 'ioredis';

type RedisLike = Redis | Cluster;

export interface RevocationKeys {
  revokedTokens(): string;
  revocationChannel(): string;
}

/** What verification asks after the signature and claims check out. Synchronous: no I/O per token. */
export interface RevocationCheck {
  isRevoked(jti: string): boolean;
}

export interface RevocationListOptions {
  /** Full reload of the deny-list, in case a notice was missed while pub/sub reconnected. Default 1000 ms. */
  refreshMs?: number;
  onError?: (error: Error) => void;
}

/**
 * The jti deny-list, held in memory on every instance so verifying a token costs a Set lookup.
 * A revocation is written to a Redis zset (jti -> expiry) and announced on a channel: every
 * instance adds it at once, and a periodic reload (refreshMs) covers a notice lost while the
 * subscriber reconnected, so a revoked token is refused everywhere within about a second.
 * Entries leave the zset once the token would have expired anyway.
 */
export class RevocationList implements RevocationCheck {
  private revoked = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private subscriber: RedisLike | undefined;

  constructor(
    private readonly redis: RedisLike,
    private readonly keys: RevocationKeys,
    private readonly options: RevocationListOptions = {},
  ) {}

  isRevoked(jti: string): boolean {
    return this.revoked.has(jti);
  }

  /** Subscribes and loads; resolves once the first load is done (or failed and was reported). */
  async start(): Promise<void> {
    const subscriber = this.redis.duplicate();
    this.subscriber = subscriber;
    subscriber.on('error', (error: Error) => this.options.onError?.(error));
    subscriber.on('message', (_channel: string, jti: string) => this.revoked.add(jti));
    const subscribe = () =>
      subscriber.subscribe(this.keys.revocationChannel()).catch((error: Error) => {
        this.options.onError?.(error);
      });
    // After a (re)connect: subscribe (a first attempt may have failed while Redis was away);
    // whatever was announced meanwhile comes with the reload.
    subscriber.on('ready', () => void subscribe().then(() => this.reload()));
    await subscribe();
    await this.reload();
    this.timer = setInterval(() => void this.reload(), this.options.refreshMs ?? 1000);
    this.timer.unref();
  }

  async reload(): Promise<void> {
    try {
      const now = Date.now();
      const key = this.keys.revokedTokens();
      const [, live] = await Promise.all([
        this.redis.zremrangebyscore(key, '-inf', now),
        this.redis.zrangebyscore(key, now, '+inf'),
      ]);
      this.revoked = new Set(live);
    } catch (error) {
      this.options.onError?.(error as Error);
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.subscriber?.disconnect();
  }
}

/** Adds `jti` to the deny-list until `expiresAtMs` (the token's exp) and tells every instance. */
export async function revokeToken(
  redis: RedisLike,
  keys: RevocationKeys,
  jti: string,
  expiresAtMs: number,
): Promise<void> {
  await redis.zadd(keys.revokedTokens(), expiresAtMs, jti);
  await redis.publish(keys.revocationChannel(), jti);
}
