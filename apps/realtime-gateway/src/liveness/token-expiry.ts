import { CloseCode } from '@switchboard/events';
import type { ClientConnection } from '../connection/client-connection.js';

/** How often expired tokens are looked for: a connection is closed at most this late. */
const SWEEP_EVERY_MS = 1000;

/**
 * Closes connections 4401 when their token expires, with one timer for the whole instance:
 * connections wait in a bucket per expiry second (a timer wheel keyed by `exp`), and each
 * sweep closes the buckets whose second has passed. A timer per connection cost a Timeout, its
 * closure and its context (~250 bytes) for each idle socket. `track` again when an `auth`
 * frame brings a new token: the connection moves to its new second.
 */
export class TokenExpiry {
  private readonly buckets = new Map<number, Set<ClientConnection>>();
  /** Every bucket up to this second has been handled. */
  private sweptUntil: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(now = Date.now()) {
    this.sweptUntil = Math.floor(now / 1000);
  }

  start(): void {
    this.timer = setInterval(() => this.sweep(), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Number of connections waiting for their token to expire. */
  get size(): number {
    let size = 0;
    for (const bucket of this.buckets.values()) size += bucket.size;
    return size;
  }

  /** Closes `connection` once `connection.principal.exp` has passed (replacing an earlier expiry). */
  track(connection: ClientConnection): void {
    this.untrack(connection);
    const exp = connection.principal.exp;
    if (exp <= this.sweptUntil) {
      // Already expired (or in a second already swept): closed on the next turn, after accept
      // has set the socket's listeners up.
      setImmediate(() => {
        if (connection.principal.exp === exp) expire(connection);
      });
      return;
    }
    let bucket = this.buckets.get(exp);
    if (!bucket) {
      bucket = new Set();
      this.buckets.set(exp, bucket);
    }
    bucket.add(connection);
    connection.expiresAtSecond = exp;
  }

  /** The connection is gone: it no longer waits for its expiry. */
  untrack(connection: ClientConnection): void {
    const second = connection.expiresAtSecond;
    if (second === undefined) return;
    connection.expiresAtSecond = undefined;
    const bucket = this.buckets.get(second);
    if (bucket?.delete(connection) && bucket.size === 0) this.buckets.delete(second);
  }

  /** Closes every connection whose token expired by `now`. */
  sweep(now = Date.now()): void {
    const until = Math.floor(now / 1000);
    for (let second = this.sweptUntil + 1; second <= until; second++) {
      const bucket = this.buckets.get(second);
      if (!bucket) continue;
      this.buckets.delete(second);
      for (const connection of bucket) {
        connection.expiresAtSecond = undefined;
        expire(connection);
      }
    }
    this.sweptUntil = Math.max(this.sweptUntil, until);
  }
}

function expire(connection: ClientConnection): void {
  connection.close(CloseCode.UNAUTHORIZED, 'token expired');
}
