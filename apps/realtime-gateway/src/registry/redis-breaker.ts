import { CircuitState, ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';

export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/**
 * A circuit breaker around the gateway's Redis writes (registry, heartbeats, announcements):
 * while Redis is down they fail fast instead of piling up, and local delivery goes on.
 */
export class RedisBreaker {
  private readonly policy;
  private opened = 0;

  constructor(
    options: {
      failures?: number;
      halfOpenAfterMs?: number;
      onStateChange?: (state: BreakerState, code: number) => void;
    } = {},
  ) {
    this.policy = circuitBreaker(handleAll, {
      halfOpenAfter: options.halfOpenAfterMs ?? 2_000,
      breaker: new ConsecutiveBreaker(options.failures ?? 3),
    });
    this.policy.onStateChange((state) => {
      if (state === CircuitState.Open) this.opened += 1;
      options.onStateChange?.(STATE_NAMES[state], state);
    });
  }

  get state(): BreakerState {
    return STATE_NAMES[this.policy.state];
  }

  get timesOpened(): number {
    return this.opened;
  }

  run<T>(action: () => Promise<T>): Promise<T> {
    return this.policy.execute(action);
  }
}
