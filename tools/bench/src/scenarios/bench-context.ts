import type { RedisServer } from '@switchboard/test-redis';
import type { BenchArgs } from '../cli/bench-args.js';

/** What every scenario gets: the arguments, the private Redis, and the run's clock. */
export interface BenchContext {
  args: BenchArgs;
  redis: RedisServer;
  /** Epoch ms after which no new work starts. */
  deadline: number;
  /** Repository root (for the apps' dist/server.js). */
  repoRoot: string;
  log(line: string): void;
}

export function remainingMs(ctx: BenchContext): number {
  return ctx.deadline - Date.now();
}

/** A scenario that could not run says why, and the run continues. */
export class SkipScenario extends Error {}
