import { ADMIN_ROOM } from '@switchboard/events';
import type { Keyspace } from '@switchboard/keyspace';
import type { FlagOutboxEntry } from '@switchboard/flags';
import { type Outbox, type OutboxEvent, type OutboxLog, createOutbox } from '@switchboard/outbox';
import { type RoomLogSettings, createPublisher } from '@switchboard/room-log';
import type { RedisClient } from '@switchboard/redis';

/** The flag family has one outbox (flags are platform-wide, and their order is global). */
export const FLAG_OUTBOX = 'flags';

/**
 * The outbox the flag store's write script fills: `relay(FLAG_OUTBOX)` after a write publishes
 * its event, and the sweeper publishes what a writer left (another service, or a crash).
 */
export function createFlagOutbox(options: {
  redis: RedisClient;
  keyspace: Keyspace;
  sweepAfterMs?: number;
  log?: OutboxLog;
  roomLog?: RoomLogSettings;
}): Outbox {
  const { keyspace } = options;
  return createOutbox({
    redis: options.redis,
    publisher: createPublisher(options.redis, { keyspace, ...options.roomLog }),
    keys: {
      stream: () => keyspace.flags.outbox(),
      lock: () => keyspace.flags.outboxLock(),
      pending: keyspace.flags.outboxPending(),
    },
    translate: flagEventsOf,
    ...(options.sweepAfterMs ? { sweepAfterMs: options.sweepAfterMs } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
}

/**
 * The `flag.*` event one flag write announces (its outbox entry, written by the flag store's
 * write script), in the admin-only room `admin` (flag names, the admin's id and the reason are
 * not for every tenant), under the actor's dealership. The outbox relay calls this for every
 * write, in version order.
 */
function flagEventsOf(payload: unknown): OutboxEvent[] {
  const write = payload as FlagOutboxEntry;
  const change = {
    key: write.key,
    version: write.version,
    actor: write.actor,
    at: write.at,
    enabled: write.enabled,
    ...(write.reason ? { reason: write.reason } : {}),
  };
  const base = { rooms: [ADMIN_ROOM], dealershipId: write.dealershipId ?? 'system' };
  switch (write.action) {
    case 'create':
      return [{ ...base, event: 'flag.created', data: change }];
    case 'update':
      return [{ ...base, event: 'flag.updated', data: change }];
    case 'toggle':
      return [{ ...base, event: 'flag.toggled', data: change }];
    case 'archive':
    case 'unarchive':
      return [{ ...base, event: 'flag.archived', data: { ...change, archived: write.archived } }];
    case 'rollback':
      return [
        {
          ...base,
          event: 'flag.rolled_back',
          data: { ...change, toVersion: write.restoredVersion ?? write.version },
        },
      ];
  }
}
