import { matchesEventPatterns } from '@switchboard/protocol';

/**
 * A subscription's event filter: exact types and `family.*` prefixes, with each decision
 * cached per event type, so delivering costs one Map lookup per member. Filters are interned by
 * their canonical form: members with the same filter share one instance and its cache.
 */
export class EventFilter {
  private readonly decisions = new Map<string, boolean>();

  constructor(readonly patterns: readonly string[]) {}

  matches(event: string): boolean {
    let decision = this.decisions.get(event);
    if (decision === undefined) {
      decision = matchesEventPatterns(this.patterns, event);
      // Event types come from the catalogue (a few dozen): the cache stays small.
      if (this.decisions.size < 1024) this.decisions.set(event, decision);
    }
    return decision;
  }
}

/** Interned filters by canonical key; entries live while some membership uses them. */
const interned = new Map<string, { filter: EventFilter; users: number }>();

/** The shared filter for `patterns`, or undefined for "every event" (none, or `*`). */
export function acquireFilter(patterns: readonly string[] | undefined): EventFilter | undefined {
  if (!patterns || patterns.length === 0 || patterns.includes('*')) return undefined;
  const key = [...new Set(patterns)].sort().join('\n');
  let entry = interned.get(key);
  if (!entry) {
    entry = { filter: new EventFilter(key.split('\n')), users: 0 };
    interned.set(key, entry);
  }
  entry.users += 1;
  return entry.filter;
}

export function releaseFilter(filter: EventFilter | undefined): void {
  if (!filter) return;
  const key = [...filter.patterns].join('\n');
  const entry = interned.get(key);
  if (!entry) return;
  entry.users -= 1;
  if (entry.users <= 0) interned.delete(key);
}

/** How many distinct filters are in use (tests, metrics). */
export function filtersInUse(): number {
  return interned.size;
}
