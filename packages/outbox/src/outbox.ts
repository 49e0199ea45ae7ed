import { randomUUID } from 'node:crypto';
import type { EventType } from '@switchboard/events';
import { type RedisClient, defineScript } from '@switchboard/redis';
import { InvalidEventError, type PublishInput, type Publisher } from '@switchboard/room-log';

// Beside src/ and dist/ alike, so no build step copies them.
const script = <Reply>(file: string) =>
  defineScript<Reply>(new URL(`../lua/${file}`, import.meta.url));
const markPendingScript = script<number>('mark-pending-1.lua');
const duePendingScript = script<string[]>('due-pending-1.lua');
const clearPendingScript = script<number>('clear-pending-1.lua');
const ackEntryScript = script<number>('ack-entry-2.lua');
const releaseLockScript = script<'released' | 'more' | 'lost'>('release-lock-2.lua');
const claimScript = script<Array<[string, string[]]> | null>('claim-2.lua');
const ackReleaseScript = script<'released' | 'more' | 'lost'>('ack-release-2.lua');
const unlockScript = script<number>('unlock-1.lua');

/** One event an outbox entry announces, to these rooms. */
export interface OutboxEvent<T extends EventType = EventType> {
  rooms: string[];
  dealershipId: string;
  event: T;
  data: PublishInput<T>['data'];
}

/** Where one family of outboxes lives (keys from packages/keyspace). */
export interface OutboxKeys {
  /** The stream a member's commits append to: same hash slot as the member's state. */
  stream(member: string): string;
  /** The relay lock of that stream: same hash slot as the stream. */
  lock(member: string): string;
  /** One zset of marks for the whole family. */
  pending: string;
}

export interface OutboxLog {
  warn(details: object, message: string): void;
}

export interface OutboxOptions {
  redis: RedisClient;
  publisher: Publisher;
  keys: OutboxKeys;
  /** Turns one committed entry (the JSON its commit wrote in field `m`) into its events. */
  translate(payload: unknown): OutboxEvent[];
  /** A relay that stops renewing its lock (a dead process) loses it after this long. Default 5 s. */
  lockMs?: number;
  /** Marks older than this are relayed by the sweeper. Must exceed any commit's own relay. Default 5 s. */
  sweepAfterMs?: number;
  /** Entries read per round. Default 50. */
  batch?: number;
  log?: OutboxLog;
}

export type RelayResult = 'relayed' | 'busy' | 'failed';

export type Outbox = ReturnType<typeof createOutbox>;

/**
 * The transactional outbox of a family of state machines (sandboxes, flags, ...). A commit
 * appends its events to the member's outbox stream in the same atomic step as the state
 * change; `relay` then publishes the stream in order, one relay per member at a time (a lock
 * beside the stream), so the order of a member's events in every room equals the order of its
 * commits, whatever the number of processes. A commit whose process dies before relaying is
 * found by the sweeper through the mark set before the commit. Events carry an id derived from
 * the entry, so an entry published twice (a relay that died between publish and ack) is
 * dropped by the gateway's per-room de-duplication.
 */
export function createOutbox(options: OutboxOptions) {
  const { keys, publisher } = options;
  const { redis } = options;
  const lockMs = String(options.lockMs ?? 5000);
  const sweepAfterMs = String(options.sweepAfterMs ?? 5000);
  const batch = options.batch ?? 50;

  /** Call before the commit that appends to `member`'s outbox. */
  async function markPending(member: string): Promise<void> {
    await markPendingScript(redis, [keys.pending], [member]);
  }

  async function publishEntry(
    member: string,
    entryId: string,
    raw: string | undefined,
  ): Promise<void> {
    let events: OutboxEvent[];
    try {
      events = options.translate(JSON.parse(raw ?? 'null'));
    } catch (error) {
      // An entry that cannot be read would block its member's outbox for good: drop it, loudly.
      options.log?.warn(
        { err: error, member, entryId },
        'outbox entry dropped: it cannot be translated',
      );
      return;
    }
    for (const [index, event] of events.entries()) {
      const id = `${member}:${entryId}${events.length > 1 ? `:${index}` : ''}`;
      try {
        await publisher.publishToRooms(event.rooms, {
          dealershipId: event.dealershipId,
          event: event.event,
          data: event.data,
          id,
        } as Omit<PublishInput, 'room'>);
      } catch (error) {
        // The catalogue refuses it: retrying cannot help, and it must not hold back what follows.
        if (!(error instanceof InvalidEventError)) throw error;
        options.log?.warn(
          { err: error, member, entryId },
          'outbox event dropped: the catalogue refuses it',
        );
      }
    }
  }

  /**
   * Publishes everything committed to `member`'s outbox, in order. 'busy': another relay holds
   * it and will see this caller's entry too; 'failed': publishing failed, the entries stay and
   * the sweeper tries again. Never throws for a publishing failure.
   */
  async function relay(member: string): Promise<RelayResult> {
    const lock = keys.lock(member);
    const stream = keys.stream(member);
    const token = randomUUID();
    try {
      // Taking the lock reads the first entries with it; the last entry of each round is acked
      // together with the release check: a lone commit costs two scripts besides its publishes.
      let entries = await claimScript(redis, [lock, stream], [token, lockMs, batch]);
      if (entries === null) return 'busy';
      for (;;) {
        let state: 'released' | 'more' | 'lost';
        if (entries.length === 0) {
          state = await releaseLockScript(redis, [lock, stream], [token, lockMs]);
        } else {
          for (const [entryId, fields] of entries.slice(0, -1)) {
            await publishEntry(member, entryId, fields[fields.indexOf('m') + 1]);
            if ((await ackEntryScript(redis, [lock, stream], [token, entryId, lockMs])) === 0)
              return 'busy';
          }
          const [lastId, lastFields] = entries[entries.length - 1]!;
          await publishEntry(member, lastId, lastFields[lastFields.indexOf('m') + 1]);
          state = await ackReleaseScript(redis, [lock, stream], [token, lastId, lockMs]);
        }
        if (state === 'released') return 'relayed';
        if (state === 'lost') return 'busy';
        entries = await redis.xrange(stream, '-', '+', 'COUNT', batch);
      }
    } catch (error) {
      options.log?.warn({ err: error, member }, 'outbox relay failed; the sweeper retries');
      // Free the lock only if still ours, so the next commit or sweep can go on at once.
      // A failure to unlock (Redis gone) is covered by the lock's own expiry.
      await unlockScript(redis, [lock], [token]).catch(() => undefined);
      return 'failed';
    }
  }

  /** Relays the outboxes whose marks are older than `sweepAfterMs`; returns how many it emptied. */
  async function sweep(limit = 200): Promise<number> {
    const due = await duePendingScript(redis, [keys.pending], [sweepAfterMs, limit]);
    let emptied = 0;
    for (let i = 0; i < due.length; i += 2) {
      const member = due[i]!;
      if ((await relay(member)) !== 'relayed') continue;
      emptied += 1;
      await clearPendingScript(redis, [keys.pending], [member, due[i + 1]!]);
    }
    return emptied;
  }

  /** Sweeps every `everyMs` until the returned function is called. */
  function startSweeper(everyMs = 1000): () => void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      sweep()
        .catch((error: unknown) => options.log?.warn({ err: error }, 'outbox sweep failed'))
        .finally(() => {
          running = false;
        });
    }, everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  return { markPending, relay, sweep, startSweeper };
}
