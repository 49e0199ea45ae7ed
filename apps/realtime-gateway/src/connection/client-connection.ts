import type { Socket } from 'node:net';
import type { PrincipalClaims } from '@switchboard/auth';
import WebSocket from 'ws';
import type { LiveMessage } from '@switchboard/room-log';
import { TokenBucket } from '../protection/token-bucket.js';
import { CloseCode } from '@switchboard/events';
import type { ServerFrame } from '@switchboard/protocol';

/** This connection's place in one room: what it has been sent, and a buffer while a replay runs. */
export interface Membership {
  room: string;
  key: string;
  scope: string;
  /** Highest seq sent to this client (in `epoch`). */
  seq: number;
  epoch: string;
  /** Live messages held back while history is replayed, so order is kept; null when live. */
  buffer: LiveMessage[] | null;
}

export interface ConnectionLimits {
  slowConsumerBytes: number;
  ratePerMinute: number;
  rateBurst: number;
  rateStrikes: number;
}

export interface ConnectionHooks {
  onDuplicate(): void;
  onSlowConsumer(connection: ClientConnection): void;
  onSent(message: LiveMessage): void;
}

const STRIKE_WINDOW_MS = 60_000;

/** One client socket: what it may see, what it has been sent, and its limits. */
export class ClientConnection {
  readonly rooms = new Map<string, Membership>();
  readonly connectedAt = Date.now();
  lastSeen = Date.now();
  awaitingPong = false;
  closed = false;
  /** Frames of this client are handled one after another, in arrival order. */
  chain: Promise<void> = Promise.resolve();
  expiryTimer: NodeJS.Timeout | undefined;
  private held: Membership[] = [];
  private readonly bucket: TokenBucket;
  /** When recent frames were refused (at most rateStrikes entries). */
  private strikes: number[] = [];
  /** @internal set while the socket is corked until the next tick. */
  corked = false;

  constructor(
    readonly id: string,
    readonly socket: WebSocket,
    public principal: PrincipalClaims,
    readonly ip: string,
    private readonly limits: ConnectionLimits,
    private readonly hooks: ConnectionHooks,
  ) {
    this.bucket = new TokenBucket(limits.rateBurst, limits.ratePerMinute, Date.now());
  }

  /**
   * `allowed`, `limited` (answer with an error frame) or `abusive` (close 4429): `rateStrikes`
   * refused frames within a minute. Allowed frames in between do not wipe the count, so a
   * client that keeps sending at twice its rate is cut off too.
   */
  admitFrame(now = Date.now()): 'allowed' | 'limited' | 'abusive' {
    if (this.bucket.take(now)) return 'allowed';
    this.strikes = this.strikes.filter((at) => now - at < STRIKE_WINDOW_MS);
    this.strikes.push(now);
    return this.strikes.length >= this.limits.rateStrikes ? 'abusive' : 'limited';
  }

  sendFrame(frame: ServerFrame): void {
    this.sendRaw(JSON.stringify(frame));
  }

  /**
   * Sends an already serialized frame, always as a TEXT frame (a shared pre-encoded Buffer
   * included); a client whose buffer passed the bound is cut off.
   */
  sendRaw(payload: string | Buffer): boolean {
    if (this.closed || this.socket.readyState !== WebSocket.OPEN) return false;
    if (this.socket.bufferedAmount > this.limits.slowConsumerBytes) {
      this.hooks.onSlowConsumer(this);
      this.close(CloseCode.SLOW_CONSUMER, 'slow consumer');
      // Its buffer is full, so the close frame may never leave: do not wait for it.
      setTimeout(() => this.socket.terminate(), 1000).unref();
      return false;
    }
    this.corkUntilNextTick();
    this.socket.send(payload, { binary: false });
    return true;
  }

  /**
   * Every frame this client gets in one tick (one Redis read carries many messages) leaves in
   * one socket write instead of one write per frame: writev per frame was the largest cost
   * left in the fan-out profile.
   */
  private corkUntilNextTick(): void {
    if (this.corked) return;
    const raw = (this.socket as unknown as { _socket?: Socket })._socket;
    if (!raw) return;
    this.corked = true;
    raw.cork();
    process.nextTick(uncork, this, raw);
  }

  /**
   * Delivers one room message unless this client already has it (same id, or a seq it was
   * already sent in the same epoch). While the membership replays history, live messages wait.
   */
  deliver(membership: Membership, message: LiveMessage): void {
    if (membership.buffer) {
      membership.buffer.push(message);
      return;
    }
    // A copy of one id under another seq is dropped once per room, in RoomHub.
    if (message.epoch === membership.epoch && message.seq <= membership.seq) {
      this.hooks.onDuplicate();
      return;
    }
    membership.seq = message.seq;
    membership.epoch = message.epoch;
    if (this.sendRaw(message.frame)) this.hooks.onSent(message);
  }

  /** Memberships kept held until the client's first frame has been handled (see joinAutomatic). */
  holdUntilFirstFrame(memberships: Membership[]): void {
    this.held = memberships;
  }

  /** Lets held memberships go live (a no-op for those a resume already flushed). */
  releaseHeld(): void {
    if (this.held.length === 0) return;
    const held = this.held;
    this.held = [];
    for (const membership of held) if (membership.buffer && this.rooms.get(membership.room) === membership) this.flush(membership);
  }

  /** Ends a replay: held-back live messages go out in order, duplicates dropped. */
  flush(membership: Membership): void {
    const held = membership.buffer ?? [];
    membership.buffer = null;
    for (const message of held) this.deliver(membership, message);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.expiryTimer);
    try {
      this.socket.close(code, reason);
    } catch {
      this.socket.terminate();
    }
  }
}

function uncork(connection: ClientConnection, raw: Socket): void {
  connection.corked = false;
  raw.uncork();
}
