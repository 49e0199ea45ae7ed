import type { Socket } from 'node:net';
import type { PrincipalClaims } from '@switchboard/auth';
import WebSocket from 'ws';
import type { LiveMessage } from '@switchboard/room-log';
import { TokenBucket } from '../protection/token-bucket.js';
import { CloseCode } from '@switchboard/events';
import type { ServerFrame } from '@switchboard/protocol';
import type { EventFilter } from '../rooms/event-filter.js';
import { ReplayHold } from './replay-hold.js';

/** This connection's place in one room: what it has been sent, and what waits while a replay runs. */
export interface Membership {
  room: string;
  key: string;
  scope: string;
  /** Highest seq sent to this client (in `epoch`). */
  seq: number;
  epoch: string;
  /** Live messages held back while history is replayed, so order is kept. */
  hold: ReplayHold;
  /** Only events it matches are sent (subscribe `events`); none = every event. */
  filter?: EventFilter | undefined;
}

/** A membership not live yet: its live messages wait until its position is settled. */
export function newMembership(room: string, key: string, scope: string): Membership {
  return { room, key, scope, seq: 0, epoch: '', hold: new ReplayHold() };
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

/** Bytes of frames one connection may have waiting to be handled (with at most 64 KiB each). */
const MAX_BYTES_WAITING = 1024 * 1024;

/** The start of every connection's frame chain (one shared settled promise, not one each). */
const RESOLVED: Promise<unknown> = Promise.resolve();

/** One client socket: what it may see, what it has been sent, and its limits. */
export class ClientConnection {
  readonly rooms = new Map<string, Membership>();
  readonly connectedAt = Date.now();
  private isClosed = false;
  private lastSeen = Date.now();
  private awaitingPong = false;
  /** Frames of this client are handled one after another, in arrival order. */
  private chain: Promise<unknown> = RESOLVED;
  /** Frames that arrived and are not handled yet, and their size. */
  private framesWaiting = 0;
  private bytesWaiting = 0;
  /** The second its token expires in, while TokenExpiry tracks it. */
  expiresAtSecond: number | undefined;
  /** The automatic rooms, held until the client's first frame has been handled. */
  private heldUntilFirstFrame: Membership[] | undefined;
  private readonly bucket: TokenBucket;
  /** When recent frames were refused (at most rateStrikes entries); created on the first. */
  private strikes: number[] | undefined;
  /** Set while the socket is corked until the next tick. */
  private corked = false;

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

  /** Closed by the server or released after the socket went away: nothing more is sent. */
  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * `allowed`, `limited` (answer with an error frame) or `abusive` (close 4429): `rateStrikes`
   * refused frames within a minute. Allowed frames in between do not wipe the count, so a
   * client that keeps sending at twice its rate is cut off too.
   */
  admitFrame(now = Date.now()): 'allowed' | 'limited' | 'abusive' {
    if (this.bucket.take(now)) return 'allowed';
    const strikes = (this.strikes ?? []).filter((at) => now - at < STRIKE_WINDOW_MS);
    strikes.push(now);
    this.strikes = strikes;
    return strikes.length >= this.limits.rateStrikes ? 'abusive' : 'limited';
  }

  /**
   * Runs `task` after everything queued before it (frames, the automatic rooms' setup). With
   * `onError`, a task that fails is reported there and does not stop the ones after it.
   */
  inOrder(task: () => unknown, onError?: (error: Error) => void): void {
    const next = this.chain.then(task);
    this.chain = onError ? next.catch(onError) : next;
  }

  /**
   * Queues a frame's handling in the chain, or refuses it (false) when too many already wait.
   * The rate limit is applied as frames are handled, in order, so while the chain waits on Redis
   * frames would otherwise pile up in memory without bound. Handled back to back, more than
   * rateBurst + rateStrikes frames can only end in refusals and a close; the bound is twice that,
   * so a burst read in one go (queued whole before any of it is handled) still gets its answers
   * in order: its frames' replies, the refusals, then the close.
   */
  queueFrame(handle: () => Promise<void>, bytes: number, onError: (error: Error) => void): boolean {
    if (
      this.framesWaiting >= 2 * (this.limits.rateBurst + this.limits.rateStrikes) ||
      this.bytesWaiting + bytes > MAX_BYTES_WAITING
    )
      return false;
    this.framesWaiting += 1;
    this.bytesWaiting += bytes;
    const run = () => {
      this.framesWaiting -= 1;
      this.bytesWaiting -= bytes;
      return handle();
    };
    // Run after a task before it that failed too: a frame is never skipped, so never left counted.
    this.chain = this.chain.then(run, run).catch(onError);
    return true;
  }

  /** Only frames count as speaking: a socket that answers pings but sends nothing goes idle. */
  frameArrived(now = Date.now()): void {
    this.lastSeen = now;
  }

  pongArrived(): void {
    this.awaitingPong = false;
  }

  /** The last ping went unanswered, or no frame came within `idleTimeoutMs`. */
  missedHeartbeat(now: number, idleTimeoutMs: number): boolean {
    return this.awaitingPong || now - this.lastSeen > idleTimeoutMs;
  }

  /** Pings the socket; the pong must come before the next heartbeat round. */
  ping(): void {
    this.awaitingPong = true;
    try {
      this.socket.ping();
    } catch {
      this.socket.terminate();
    }
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
      // Its buffer is full, so the close frame may never leave.
      this.closeForcefully(CloseCode.SLOW_CONSUMER, 'slow consumer');
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
    process.nextTick(ClientConnection.uncork, this, raw);
  }

  /** Static, so the tick after every send does not allocate a closure. */
  private static uncork(connection: ClientConnection, raw: Socket): void {
    connection.corked = false;
    raw.uncork();
  }

  /**
   * Delivers one room message unless this client already has it (same id, or a seq it was
   * already sent in the same epoch). While the membership replays history, live messages wait.
   */
  deliver(membership: Membership, message: LiveMessage): void {
    if (membership.hold.offer(message)) return;
    this.deliverNow(membership, message);
  }

  /** History the client missed goes out at once; live messages that arrive meanwhile stay held. */
  replay(membership: Membership, messages: LiveMessage[]): void {
    for (const message of messages) this.deliverNow(membership, message);
  }

  private deliverNow(membership: Membership, message: LiveMessage): void {
    // A copy of one id under another seq is dropped once per room, in RoomHub.
    if (message.epoch === membership.epoch && message.seq <= membership.seq) {
      this.hooks.onDuplicate();
      return;
    }
    membership.seq = message.seq;
    membership.epoch = message.epoch;
    // Filtered out: the position still moves on, so a resume does not replay it.
    if (membership.filter && !membership.filter.matches(message.event)) return;
    if (this.sendRaw(message.frame)) this.hooks.onSent(message);
  }

  /** Memberships kept held until the client's first frame has been handled (see joinAutomatic). */
  holdUntilFirstFrame(memberships: Membership[]): void {
    this.heldUntilFirstFrame = memberships;
  }

  /** Lets held memberships go live (a no-op for those a resume already flushed). */
  releaseHeld(): void {
    const held = this.heldUntilFirstFrame;
    if (!held) return;
    this.heldUntilFirstFrame = undefined;
    for (const membership of held)
      if (membership.hold.isHolding && this.rooms.get(membership.room) === membership)
        this.goLive(membership);
  }

  /** Ends a replay: held-back live messages go out in order, duplicates dropped. */
  goLive(membership: Membership): void {
    membership.hold.handOver((message) => this.deliverNow(membership, message));
  }

  /** Closes, and cuts the socket a second later if the close handshake cannot finish. */
  closeForcefully(code: number, reason: string): void {
    this.close(code, reason);
    setTimeout(() => this.socket.terminate(), 1000).unref();
  }

  /** The socket is gone: no more sends. */
  released(): void {
    this.isClosed = true;
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.isClosed = true;
    try {
      this.socket.close(code, reason);
    } catch {
      this.socket.terminate();
    }
  }
}
