import type {
  FromSubscriber,
  PeekReport,
  StepReport,
  ToSubscriber,
} from '../load/worker-protocol.js';
import { type WorkerHandle, requestAll } from '../proc/worker-handle.js';
import { type Histogram, emptyHistogram, merge } from '../stats/latency-summary.js';

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

/** What every subscriber worker received in one step, summed. */
export interface StepDeliveries {
  latency: Histogram;
  delivered: number;
  duplicates: number;
  late: number;
  disconnects: number;
}

/** Ends `step` in every subscriber worker and sums their reports. */
export async function endStep(subs: Sub[], step: number): Promise<StepDeliveries> {
  const reports = await requestAll(
    subs,
    { type: 'step-end', step },
    (m): m is StepReport => m.type === 'step-report' && m.step === step,
    30_000,
  );
  const total: StepDeliveries = {
    latency: emptyHistogram(),
    delivered: 0,
    duplicates: 0,
    late: 0,
    disconnects: 0,
  };
  for (const r of reports) {
    merge(total.latency, r.latency);
    total.delivered += Object.values(r.unique).reduce((a, n) => a + n, 0);
    total.duplicates += r.duplicates;
    total.late += r.late;
    total.disconnects += r.disconnects;
  }
  return total;
}
