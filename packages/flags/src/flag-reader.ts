/** The evaluation context of a flag (OpenFeature style). */
export interface FlagContext {
  targetingKey?: string;
  userId?: string;
  dealershipId?: string;
  environment?: string;
  [attribute: string]: unknown;
}

/** What a service needs to ask of flags; the in-process SDK implements it. */
export interface FlagReader {
  isEnabled(key: string, context?: FlagContext): boolean;
  /**
   * Optional: calls `listener` with the key of every flag that changed, so a reader of a
   * process-wide mode (e.g. the gateway's REDIS_WEBSOCKET_SCALING) can switch at once. Returns
   * an unsubscribe function. The live SDK implements it; static readers never change.
   */
  onChange?(listener: (key: string) => void): () => void;
}

/** Flags the services themselves read; created as enabled at first start when absent. */
export const FLAGS = {
  SANDBOX_PAUSE_RESUME: 'SANDBOX_PAUSE_RESUME',
  REDIS_WEBSOCKET_SCALING: 'REDIS_WEBSOCKET_SCALING',
} as const;
export type WellKnownFlag = (typeof FLAGS)[keyof typeof FLAGS];

/** Fixed answers, for services started without a flag store and for tests; unknown keys are `fallback`. */
export function staticFlagReader(
  values: Record<string, boolean> = {},
  fallback = true,
): FlagReader {
  return { isEnabled: (key) => values[key] ?? fallback };
}
