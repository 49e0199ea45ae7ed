import type { Flag } from '@switchboard/flags';
import type { ListQuery } from '../schemas/flags.js';

/** Filters and pages flags (sorted by key); the whole set is small enough to live in memory. */
export function listFlags(
  flags: Flag[],
  query: ListQuery,
): { items: Flag[]; nextCursor: string | undefined } {
  const q = query.q?.toLowerCase();
  const matching = flags
    .filter((flag) => flag.archived === (query.archived ?? false))
    .filter((flag) => query.enabled === undefined || flag.enabled === query.enabled)
    .filter((flag) => query.tag === undefined || flag.tags.includes(query.tag))
    .filter(
      (flag) =>
        !q || flag.key.toLowerCase().includes(q) || flag.description.toLowerCase().includes(q),
    )
    .filter((flag) => query.cursor === undefined || flag.key > query.cursor)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const items = matching.slice(0, query.limit);
  return {
    items,
    nextCursor: matching.length > query.limit ? items[items.length - 1]?.key : undefined,
  };
}
