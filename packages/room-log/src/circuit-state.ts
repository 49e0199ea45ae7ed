import { CircuitState } from 'cockatiel';

/** A cockatiel circuit breaker's state by name, as metrics, health and logs report it. */
export type CircuitStateName = 'closed' | 'open' | 'half-open' | 'isolated';

export const CIRCUIT_STATE_NAMES: Readonly<Record<CircuitState, CircuitStateName>> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};
