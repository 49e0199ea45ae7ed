import type { Prefixer } from './prefix.js';

/**
 * Every flag key carries the `{flags}` hash tag: one Lua write touches the flag, the index, its
 * versions and both audit streams, which Redis Cluster allows only within one slot.
 */
export function flagKeys(p: Prefixer) {
  return {
    /** string: the current flag definition (JSON). */
    flag: (flagKey: string) => p(`{flags}:flag:${flagKey}`),
    /** set: every flag key. */
    index: () => p('{flags}:index'),
    /** list: immutable versions of one flag, oldest first (version N at index N-1). */
    versions: (flagKey: string) => p(`{flags}:versions:${flagKey}`),
    /** stream: audit log of every change to any flag. */
    audit: () => p('{flags}:audit'),
    /** stream: audit log of one flag (the same entries, for per-flag paging). */
    flagAudit: (flagKey: string) => p(`{flags}:audit:${flagKey}`),
    /** channel: change notifications for the in-process SDKs. */
    changesChannel: () => p('flags:changes'),
    /** stream: flag events committed with their change, not yet published (outbox). */
    outbox: () => p('{flags}:outbox'),
    /** string: the relay that publishes the flag outbox now (token, short TTL). */
    outboxLock: () => p('{flags}:outbox-lock'),
    /** zset: marks the flag outbox as needing a relay (one member) -> when (ms, Redis clock). Set by the write script itself. */
    outboxPending: () => p('{flags}:outbox-pending'),
  };
}
