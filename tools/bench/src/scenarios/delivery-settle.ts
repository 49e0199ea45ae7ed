import type { FromSubscriber, PeekReport, ToSubscriber } from '../load/worker-protocol.js';
import { type WorkerHandle, requestAll } from '../proc/worker-handle.js';

type Sub = WorkerHandle<ToSubscriber, FromSubscriber>;

/** Deliveries a step owes: each room's published messages times the room's members. */
export function expectedOf(
  published: Record<string, number>,
  members: Record<string, number>,
): number {
  return Object.entries(published).reduce((a, [room, n]) => a + n * (members[room] ?? 0), 0);
}

/**
 * Waits after a step until every expected delivery arrived, or until deliveries stop growing
 * for 500 ms, or `maxMs`: what has not arrived by then counts as lost.
 */
export async function settle(
  subs: Sub[],
  step: number,
  expected: number,
  maxMs: number,
): Promise<void> {
  const until = Date.now() + maxMs;
  let last = -1;
  let stableSince = Date.now();
  while (Date.now() < until) {
    const peeks = await requestAll(
      subs,
      { type: 'peek', step },
      (m): m is PeekReport => m.type === 'peek-report' && m.step === step,
      10_000,
    );
    const received = peeks.reduce((a, p) => a + p.unique, 0);
    if (received >= expected) return;
    if (received !== last) {
      last = received;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= 500) {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
