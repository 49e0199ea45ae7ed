import type { RedisClient } from '@switchboard/redis';

/** A place in a sorted-set index: the member's score and id (what a list cursor encodes). */
export interface IndexPosition {
  s: number;
  id: string;
}

export const isIndexPosition = (value: unknown): value is IndexPosition =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as IndexPosition).s === 'number' &&
  typeof (value as IndexPosition).id === 'string';

/**
 * Walks a sorted-set index from the highest score down, starting after `after`, a batch of
 * members per round trip. Ends when the index has no more; a caller that stops early keeps the
 * last position it used as its cursor.
 */
export async function* descendingIndex(
  redis: RedisClient,
  key: string,
  after: IndexPosition | undefined,
  batch: number,
): AsyncGenerator<IndexPosition[]> {
  let max = after ? String(after.s) : '+inf';
  let offset = 0;
  for (;;) {
    const raw = await redis.zrevrangebyscore(
      key,
      max,
      '-inf',
      'WITHSCORES',
      'LIMIT',
      offset,
      batch,
    );
    if (raw.length === 0) return;
    const positions: IndexPosition[] = [];
    for (let i = 0; i < raw.length; i += 2) positions.push({ id: raw[i]!, s: Number(raw[i + 1]) });
    // Equal scores come in reverse lexical order: skip what the cursor already covered.
    yield positions.filter((p) => !(after && p.s === after.s && p.id >= after.id));
    if (positions.length < batch) return;
    // Scores repeat (same millisecond): page by score and by how many of the lowest were seen.
    const lastScore = positions.at(-1)!.s;
    if (String(lastScore) === max) offset += positions.length;
    else {
      max = String(lastScore);
      offset = positions.filter((p) => p.s === lastScore).length;
    }
  }
}
