/**
 * "Activity", precisely (docs/api/sandbox.md repeats this):
 * - every authenticated API request that addresses one sandbox by id (status, pause, resume,
 *   execute, execution status, history, settings) sets `lastActivityAt` to the request time;
 * - an execution sets it when it starts and when it finishes, and a running execution counts
 *   as continuous activity: a sandbox with a running execution is never idle;
 * - time spent paused is never activity and never counts toward an execution's running time.
 * List requests, bulk requests and the passage of time are not activity.
 */
export interface AutoPauseSettings {
  idleTimeoutSec?: number | null;
  maxExecutionTimeSec?: number | null;
  maxMemoryMb?: number | null;
}

type AutoPauseSource = 'auto:idle' | 'auto:max-execution' | 'auto:memory';

export interface PauseClock {
  /** Total ms the sandbox spent paused in completed pauses. */
  pausedMsTotal: number;
  /** Start of the current pause, if paused now. */
  pausedAt?: number | undefined;
}

export interface RunningExecution {
  executionId: string;
  startedAt: number;
  /** `pausedMsTotal` of the sandbox when the execution started. */
  pausedMsAtStart: number;
  /**
   * This execution already caused an auto:max-execution pause. Someone resumed the sandbox on
   * purpose after that, so the rule does not pause it again for the same execution.
   */
  limitReported?: boolean;
}

export interface PolicyInput {
  now: number;
  state: string;
  lastActivityAt: number;
  clock: PauseClock;
  running: RunningExecution[];
  /** Resident memory of the sandbox's processes; undefined when unknown. */
  memoryBytes?: number | undefined;
  settings: AutoPauseSettings;
}

export interface AutoPauseDecision {
  source: AutoPauseSource;
  reason: string;
  /** The execution that broke maxExecutionTimeSec. */
  executionId?: string;
}

/** Paused time up to `now`, including a pause in progress. */
function pausedMsUntil(clock: PauseClock, now: number): number {
  return (
    clock.pausedMsTotal + (clock.pausedAt !== undefined ? Math.max(0, now - clock.pausedAt) : 0)
  );
}

/** How long an execution has really run: wall time minus the sandbox's paused time since it started. */
export function executionActiveMs(
  execution: Pick<RunningExecution, 'startedAt' | 'pausedMsAtStart'>,
  clock: PauseClock,
  now: number,
): number {
  return Math.max(
    0,
    now - execution.startedAt - (pausedMsUntil(clock, now) - execution.pausedMsAtStart),
  );
}

/** Which auto-pause rule fires now, if any. Memory first (it protects the host), then runaway executions, then idleness. */
export function autoPauseDecision(input: PolicyInput): AutoPauseDecision | undefined {
  if (input.state !== 'active') return undefined;
  const { settings, now } = input;
  if (
    settings.maxMemoryMb &&
    input.memoryBytes !== undefined &&
    input.memoryBytes > settings.maxMemoryMb * 1024 * 1024
  ) {
    return {
      source: 'auto:memory',
      reason: `memory ${Math.round(input.memoryBytes / 1048576)} MiB above ${settings.maxMemoryMb} MiB`,
    };
  }
  if (settings.maxExecutionTimeSec) {
    const limitMs = settings.maxExecutionTimeSec * 1000;
    const runaway = input.running.find(
      (execution) =>
        !execution.limitReported && executionActiveMs(execution, input.clock, now) > limitMs,
    );
    if (runaway) {
      return {
        source: 'auto:max-execution',
        reason: `execution ${runaway.executionId} ran longer than ${settings.maxExecutionTimeSec} s`,
        executionId: runaway.executionId,
      };
    }
  }
  if (
    settings.idleTimeoutSec &&
    input.running.length === 0 &&
    now - input.lastActivityAt >= settings.idleTimeoutSec * 1000
  ) {
    return { source: 'auto:idle', reason: `no activity for ${settings.idleTimeoutSec} s` };
  }
  return undefined;
}

export function hasAutoPause(settings: AutoPauseSettings | undefined): boolean {
  return Boolean(
    settings && (settings.idleTimeoutSec || settings.maxExecutionTimeSec || settings.maxMemoryMb),
  );
}
