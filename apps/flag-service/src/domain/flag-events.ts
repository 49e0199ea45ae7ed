import { ADMIN_ROOM } from '@switchboard/keyspace';
import type { FlagOutboxEntry } from '@switchboard/flags';
import type { OutboxEvent } from '@switchboard/outbox';

/**
 * The `flag.*` event one flag write announces (its outbox entry, written by the flag store's
 * write script), in the admin-only room `admin` (flag names, the admin's id and the reason are
 * not for every tenant), under the actor's dealership. The outbox relay calls this for every
 * write, in version order.
 */
export function flagEventsOf(payload: unknown): OutboxEvent[] {
  const write = payload as FlagOutboxEntry;
  const change = { key: write.key, version: write.version, actor: write.actor, at: write.at, enabled: write.enabled, ...(write.reason ? { reason: write.reason } : {}) };
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
      return [{ ...base, event: 'flag.rolled_back', data: { ...change, toVersion: write.restoredVersion ?? write.version } }];
  }
}
