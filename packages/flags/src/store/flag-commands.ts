import type { FlagDefinition } from '../model/flag-schema.js';
import { bodyOf, normalizeDefinition } from '../model/normalize.js';
import { FlagStoreError } from './flag-store-error.js';
import type { Actor, FlagStore, WriteResult } from './flag-store.js';

interface Common {
  actor: Actor;
  reason?: string;
}

/** Common, plus the version the caller last read: the write fails if the flag moved since. */
type Guarded = Common & { expectedVersion?: number };

/**
 * The changes an admin can make, each one new version through FlagStore.write. Shared by the
 * flag service's admin API and the SDK's ensureFlags, so both write identical records.
 */
export function flagCommands(store: FlagStore) {
  return {
    create: (key: string, definition: FlagDefinition, common: Common): Promise<WriteResult> =>
      store.write({
        key,
        action: 'create',
        ...common,
        expectedVersion: 0,
        next: () => ({ body: normalizeDefinition(definition), archived: false }),
      }),

    update: (key: string, definition: FlagDefinition, common: Guarded): Promise<WriteResult> =>
      store.write({
        key,
        action: 'update',
        ...common,
        next: (current) => ({
          body: normalizeDefinition(definition, current),
          archived: current?.archived ?? false,
        }),
      }),

    toggle: (key: string, enabled: boolean, common: Guarded): Promise<WriteResult> =>
      store.write({
        key,
        action: 'toggle',
        ...common,
        next: (current) => ({
          body: { ...bodyOf(current!), enabled },
          archived: current!.archived,
        }),
      }),

    archive: (key: string, archived: boolean, common: Guarded): Promise<WriteResult> =>
      store.write({
        key,
        action: archived ? 'archive' : 'unarchive',
        ...common,
        next: (current) => ({ body: bodyOf(current!), archived }),
      }),

    /** Makes a new version whose definition equals version `to` (archived state included). */
    async rollback(key: string, to: number, common: Guarded): Promise<WriteResult> {
      const target = await store.version(key, to);
      if (!target) {
        const current = await store.get(key);
        if (!current) throw new FlagStoreError('not_found', `flag ${key} not found`, { key });
        throw new FlagStoreError('not_found', `flag ${key} has no version ${to}`, {
          key,
          currentVersion: current.version,
        });
      }
      return store.write({
        key,
        action: 'rollback',
        ...common,
        next: () => ({
          body: bodyOf(target.flag),
          archived: target.flag.archived,
          restoredVersion: to,
        }),
      });
    },
  };
}

export type FlagCommands = ReturnType<typeof flagCommands>;
