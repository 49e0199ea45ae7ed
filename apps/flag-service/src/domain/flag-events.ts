import { ADMIN_ROOM } from '@switchboard/keyspace';
import type { Actor, WriteResult } from '@switchboard/flags';
import type { Publisher } from '@switchboard/publisher';

/**
 * Announces a flag change as a `flag.*` event in the admin-only room `admin` (flag names, the
 * admin's id and the reason are not for every tenant), under the actor's dealership.
 */
export async function publishFlagEvent(publisher: Publisher, actor: Actor, result: WriteResult, reason?: string): Promise<void> {
  const { flag } = result;
  const change = { key: flag.key, version: flag.version, actor: actor.id, at: flag.updatedAt, enabled: flag.enabled, ...(reason ? { reason } : {}) };
  const dealershipId = actor.dealershipId ?? 'system';
  const base = { room: ADMIN_ROOM, dealershipId } as const;
  switch (result.action) {
    case 'create':
      await publisher.publish({ ...base, event: 'flag.created', data: change });
      return;
    case 'update':
      await publisher.publish({ ...base, event: 'flag.updated', data: change });
      return;
    case 'toggle':
      await publisher.publish({ ...base, event: 'flag.toggled', data: { ...change, enabled: flag.enabled } });
      return;
    case 'archive':
    case 'unarchive':
      await publisher.publish({ ...base, event: 'flag.archived', data: { ...change, archived: flag.archived } });
      return;
    case 'rollback': {
      const previousVersion = result.restoredVersion ?? flag.version;
      await publisher.publish({ ...base, event: 'flag.rolled_back', data: { ...change, toVersion: previousVersion } });
      return;
    }
  }
}
