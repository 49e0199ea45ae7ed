import { parseArgs } from 'node:util';

/** Every scenario the harness knows, in the order it runs them. */
export const SCENARIOS = [
  'redis',
  'ws-raw',
  'socketio',
  'switchboard',
  'connections',
  'scale',
  'sandbox',
  'flags',
  'server-api',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchArgs {
  quick: boolean;
  /** Connections held in the connections scenario. */
  connections: number;
  /** Connections of the scale scenario, opened at `rampPerSec` and held `holdSec`. */
  scale: number;
  rampPerSec: number;
  holdSec: number;
  /** Scenarios to run (default: all). */
  only: ScenarioName[];
  /** Whole-run deadline in seconds: the harness stops starting work after it and aborts at it. */
  budgetSec: number;
  /** Seconds each publish-rate step runs. */
  stepSec: number;
  rooms: number;
  subscribers: number;
  /** Publish rates (messages per second) stepped upward until delivery lags. */
  rates: number[];
  payloadBytes: number;
  /** Skip rewriting docs/benchmarks.md (e.g. exploratory runs). */
  writeDocs: boolean;
  /** Build the apps under test (turbo, cached) before the run. */
  build: boolean;
  /** CPU-profile the first gateway instance (node --cpu-prof) and report its hottest functions. */
  profile: boolean;
  help: boolean;
}

/** Mode defaults. Quick must finish in < 3 min and full in < 20 min on the 2-core box. */
export const MODE_DEFAULTS = {
  quick: {
    connections: 2000,
    scale: 2000,
    holdSec: 2,
    budgetSec: 170,
    stepSec: 3,
    rooms: 20,
    subscribers: 600,
    rates: [100, 300, 1000, 2000, 4000],
  },
  full: {
    connections: 20_000,
    scale: 50_000,
    holdSec: 60,
    budgetSec: 1140,
    stepSec: 15,
    rooms: 100,
    subscribers: 3000,
    rates: [100, 300, 1000, 2000, 4000, 8000, 16_000],
  },
} as const;

/** The highest publish rate: stepping doubles the listed rates up to it until a step lags. */
export const MAX_RATE = 200_000;

/** Hard bounds: arguments beyond them are refused, so a typo cannot start an unbounded run. */
const LIMITS = {
  connections: { min: 1, max: 60_000 },
  rampPerSec: { min: 10, max: 10_000 },
  holdSec: { min: 1, max: 300 },
  budgetSec: { min: 10, max: 1200 },
  stepSec: { min: 1, max: 120 },
  rooms: { min: 1, max: 10_000 },
  subscribers: { min: 1, max: 60_000 },
  rate: { min: 1, max: MAX_RATE },
  payloadBytes: { min: 16, max: 65_536 },
} as const;

export const USAGE = `usage: pnpm --filter @switchboard/bench bench [-- options]
  --quick              small run, < 3 min (default: full run, < 20 min)
  --connections N      connections held in the connections scenario (full: 20000)
  --scale N            connections of the scale scenario (quick 2000, full 50000)
  --ramp N             connections opened per second in the scale scenario (default 1000)
  --hold SEC           seconds the scale scenario holds them (quick 2, full 60)
  --only a,b           scenarios: ${SCENARIOS.join(', ')}
  --budget SEC         stop starting work after SEC seconds (quick 170, full 1140, max 1200)
  --step-sec SEC       seconds per publish-rate step
  --rooms N            rooms in the fan-out scenario
  --subscribers N      subscribers in the fan-out scenario (spread over the rooms and 3 instances)
  --rates a,b,c        publish rates per second, stepped upward until delivery lags (after the
                       last one, doubling it, up to 200000)
  --payload BYTES      payload size of each event (default 256)
  --no-docs            do not rewrite docs/benchmarks.md
  --profile            CPU-profile gateway instance 1 (and the HTTP services) and list their hottest
                       functions; heap-snapshot gateway instance 1 in the connections scenario
  --no-build           do not build the apps under test first (turbo, cached; not counted in the budget)
  --help`;

function bounded(
  name: string,
  raw: string | undefined,
  fallback: number,
  limit: { min: number; max: number },
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < limit.min || value > limit.max) {
    throw new Error(`--${name} must be an integer in ${limit.min}..${limit.max} (got "${raw}")`);
  }
  return value;
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== '--'),
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      connections: { type: 'string' },
      scale: { type: 'string' },
      ramp: { type: 'string' },
      hold: { type: 'string' },
      only: { type: 'string' },
      budget: { type: 'string' },
      'step-sec': { type: 'string' },
      rooms: { type: 'string' },
      subscribers: { type: 'string' },
      rates: { type: 'string' },
      payload: { type: 'string' },
      'no-docs': { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const mode = values.quick ? MODE_DEFAULTS.quick : MODE_DEFAULTS.full;
  const only = values.only
    ? values.only
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => {
          if (!(SCENARIOS as readonly string[]).includes(s))
            throw new Error(`unknown scenario "${s}" (known: ${SCENARIOS.join(', ')})`);
          return s as ScenarioName;
        })
    : [...SCENARIOS];
  if (only.length === 0) throw new Error('--only needs at least one scenario');
  const rates = values.rates
    ? values.rates.split(',').map((r) => bounded('rates', r.trim(), 0, LIMITS.rate))
    : [...mode.rates];
  if (rates.length === 0 || rates.length > 20) throw new Error('--rates takes 1..20 rates');
  for (let i = 1; i < rates.length; i++) {
    if (rates[i]! <= rates[i - 1]!) throw new Error('--rates must increase');
  }
  const args: BenchArgs = {
    quick: values.quick ?? false,
    connections: bounded('connections', values.connections, mode.connections, LIMITS.connections),
    scale: bounded('scale', values.scale, mode.scale, LIMITS.connections),
    rampPerSec: bounded('ramp', values.ramp, 1000, LIMITS.rampPerSec),
    holdSec: bounded('hold', values.hold, mode.holdSec, LIMITS.holdSec),
    only,
    budgetSec: bounded('budget', values.budget, mode.budgetSec, LIMITS.budgetSec),
    stepSec: bounded('step-sec', values['step-sec'], mode.stepSec, LIMITS.stepSec),
    rooms: bounded('rooms', values.rooms, mode.rooms, LIMITS.rooms),
    subscribers: bounded('subscribers', values.subscribers, mode.subscribers, LIMITS.subscribers),
    rates,
    payloadBytes: bounded('payload', values.payload, 256, LIMITS.payloadBytes),
    writeDocs: !values['no-docs'],
    build: !values['no-build'],
    profile: values.profile ?? false,
    help: values.help ?? false,
  };
  if (args.subscribers < args.rooms)
    throw new Error('--subscribers must be >= --rooms (every room needs a member)');
  return args;
}

/** The command line that reproduces a run, for the docs. */
export function commandLine(argv: readonly string[]): string {
  const rest = argv.filter((a) => a !== '--');
  return `pnpm --filter @switchboard/bench bench${rest.length ? ` -- ${rest.join(' ')}` : ''}`;
}
