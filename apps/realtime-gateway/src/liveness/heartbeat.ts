import { CloseCode } from '@switchboard/events';
import type { ClientConnection } from '../connection/client-connection.js';

export interface HeartbeatOptions {
  heartbeatMs: number;
  idleTimeoutMs: number;
}

/**
 * WebSocket ping every heartbeatMs; a connection that missed the previous pong, or sent no
 * frame for idleTimeoutMs, is closed 4408.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  /** When the previous round ran. */
  private lastRoundAt = 0;

  constructor(
    private readonly options: HeartbeatOptions,
    private readonly connections: () => Iterable<ClientConnection>,
  ) {}

  start(): void {
    this.lastRoundAt = Date.now();
    this.timer = setInterval(() => this.round(), this.options.heartbeatMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One round; `now` is when it runs. */
  round(now = Date.now()): void {
    // A round that runs late means this process was stalled (a long GC, CPU starvation): the
    // pongs and frames that arrived meanwhile are not read yet, so this round judges no one
    // (it only pings) rather than cutting off every healthy client at once.
    const stalled = now - this.lastRoundAt > this.options.heartbeatMs * 1.5;
    this.lastRoundAt = now;
    for (const connection of this.connections()) {
      if (!stalled && connection.missedHeartbeat(now, this.options.idleTimeoutMs)) {
        connection.closeForcefully(CloseCode.HEARTBEAT_TIMEOUT, 'heartbeat timeout');
        continue;
      }
      connection.ping();
    }
  }
}
