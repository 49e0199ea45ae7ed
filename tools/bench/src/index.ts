/** Pure helpers of the benchmark harness (the harness itself is `src/cli.ts`). */
export {
  emptyHistogram,
  merge,
  percentile,
  quantile,
  record,
  summarizeMicros,
  type Histogram,
  type LatencySummary,
} from './stats/latency-summary.js';
export { parseBenchArgs, type BenchArgs } from './cli/bench-args.js';
