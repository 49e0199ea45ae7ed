import type { GatewayStats } from './stats-types.js';

export interface Sample {
  /** ms since the epoch, from the stats' `at`. */
  at: number;
  connections: number;
  /**
   * Messages delivered per second since the previous sample (messagesOut is a counter); null
   * for the first reading, which has nothing to compare with.
   */
  deliveriesPerSec: number | null;
}

/** How far back the chart looks. */
export const WINDOW_MS = 10 * 60_000;

/** Adds one stats reading to the series, dropping samples older than the window. */
export function addSample(
  series: Sample[],
  stats: GatewayStats,
  previous: GatewayStats | undefined,
): Sample[] {
  const at = Date.parse(stats.at);
  if (series.length > 0 && series[series.length - 1]!.at >= at) return series;
  let deliveriesPerSec: number | null = null;
  if (previous) {
    const seconds = (at - Date.parse(previous.at)) / 1000;
    const delta = stats.totals.messagesOut - previous.totals.messagesOut;
    // A restarted gateway resets its counter: a negative delta is not a rate.
    deliveriesPerSec = seconds > 0 && delta >= 0 ? delta / seconds : 0;
  }
  return [...series, { at, connections: stats.totals.connections, deliveriesPerSec }].filter(
    (sample) => sample.at > at - WINDOW_MS,
  );
}
