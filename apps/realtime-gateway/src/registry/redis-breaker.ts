import { CIRCUIT_STATE_NAMES, type CircuitStateName } from '@switchboard/room-log';
import { CircuitState, ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';

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
      onStateChange?: (state: CircuitStateName, code: number) => void;
    } = {},
  ) {
    this.policy = circuitBreaker(handleAll, {
      halfOpenAfter: options.halfOpenAfterMs ?? 2_000,
      breaker: new ConsecutiveBreaker(options.failures ?? 3),
    });
    this.policy.onStateChange((state) => {
      if (state === CircuitState.Open) this.opened += 1;
      options.onStateChange?.(CIRCUIT_STATE_NAMES[state], state);
    });
  }

  get state(): CircuitStateName {
    return CIRCUIT_STATE_NAMES[this.policy.state];
  }

  get timesOpened(): number {
    return this.opened;
  }

  run<T>(action: () => Promise<T>): Promise<T> {
    return this.policy.execute(action);
  }
}
