import { CloseCode } from '@switchboard/events';
import type { ClientConnection } from '../connection/client-connection.js';

export interface HeartbeatOptions {
  heartbeatMs: number;
  idleTimeoutMs: number;
}

/**
 * Connections visited per turn of the event loop in a round: each ping is a socket write, and
 * pinging a thousand connections in one go held the loop for 37–54 ms (the fan-out bench's
 * profile), which every delivery of that moment waited for.
 */
const PING_SLICE = 100;

/**
 * WebSocket ping every heartbeatMs; a connection that missed the previous pong, or sent no
 * frame for idleTimeoutMs, is closed 4408. A round goes through the connections in slices, one
 * per turn of the event loop.
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
    this.visit([...this.connections()], 0, now, stalled);
  }

  /**
   * One slice of a round from `from`; the next slice runs in the next turn of the loop. A slice
   * that runs long after the one before means the process stalled in between: the pongs that
   * came meanwhile may not be read yet, so the rest of the round only pings.
   */
  private visit(connections: ClientConnection[], from: number, now: number, stalled: boolean) {
    const sliceAt = Date.now();
    const end = Math.min(from + PING_SLICE, connections.length);
    for (let index = from; index < end; index += 1) {
      const connection = connections[index]!;
      // Closed since the round began (the snapshot still holds it).
      if (connection.closed) continue;
      if (!stalled && connection.missedHeartbeat(now, this.options.idleTimeoutMs)) {
        connection.closeForcefully(CloseCode.HEARTBEAT_TIMEOUT, 'heartbeat timeout');
        continue;
      }
      connection.ping();
    }
    if (end < connections.length)
      setImmediate(() =>
        this.visit(
          connections,
          end,
          now,
          stalled || Date.now() - sliceAt > this.options.heartbeatMs / 2,
        ),
      );
  }
}
