export interface BackoffOptions {
  /** First delay (ms). Default 250. */
  initialDelayMs?: number;
  /** Ceiling (ms). Default 10 000. */
  maxDelayMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** Share of the delay that is random (0..1), so a fleet does not reconnect in lockstep. Default 0.5. */
  jitter?: number;
}

/** Exponential backoff with jitter: attempt 0 waits about initialDelayMs. */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const initial = options.initialDelayMs ?? 250;
  const max = options.maxDelayMs ?? 10_000;
  const factor = options.factor ?? 2;
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.5));
  const base = Math.min(max, initial * factor ** Math.max(0, attempt));
  return Math.round(base * (1 - jitter * random()));
}
