import { CloseCode as CloseCodes, type EventData, type EventType } from '@switchboard/events';
import {
  type ClientFrame,
  EventPattern,
  type EventFrame,
  MAX_EVENT_PATTERNS,
  type ServerFrame,
  matchesEventPatterns,
} from '@switchboard/protocol';
import { type BackoffOptions, backoffDelay } from './backoff.js';
import { RecentIds } from './dedup.js';
import { tokenExpiry } from './token.js';

/** The part of the WebSocket API both browsers and the `ws` package provide. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export type TokenSource = string | (() => string | Promise<string>);

export interface ClientOptions {
  /** Gateway URL(s) (`ws://host/ws`); several are tried in turn on reconnect. */
  url: string | string[];
  /** A token, or a provider called at each connect and before expiry (refresh). */
  token: TokenSource;
  /** Default: globalThis.WebSocket (browsers, Node 22). In Node 20 pass the `ws` package. */
  WebSocket?: WebSocketConstructor;
  /** Reconnect backoff, or false to never reconnect. */
  reconnect?: BackoffOptions | false;
  /** With a token provider: refresh this long before `exp`. Default 30 s. */
  refreshBeforeExpiryMs?: number;
  /** App-level ping interval; default: the server's heartbeatMs. */
  pingIntervalMs?: number;
}

export interface EventMeta {
  room: string;
  id: string;
  seq: number;
  epoch: string;
  ts: number;
}

export interface SubscribeOptions {
  /**
   * Only events of these types: exact types (`pr.created`), families (`pr.*`) or `*`; at most 32.
   * Kept for the room and applied again after every reconnect.
   */
  events?: string[];
}

export type ClientState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ClientEvents {
  state: ClientState;
  connected: { clientId: string; instanceId: string };
  disconnected: { code: number; reason: string };
  resumed: { room: string; recovered: boolean; replayed: number };
  /** History no longer covered the client's position: refetch the room's state. */
  'recovery-failed': { room: string };
  migrate: { reconnectInMs: number };
  error: { code: string; message: string; room?: string };
  duplicate: { room: string; id: string; seq: number };
}

type Listener<T> = (value: T) => void;
const OPEN = 1;

/**
 * Switchboard realtime client for browsers and Node: connects with a token (or a provider, for
 * refresh), reconnects with exponential backoff and jitter, obeys `migrate`, resumes every room
 * from its last seq after a reconnect, and drops duplicate messages by id and seq.
 */
export class SwitchboardClient {
  private socket: WebSocketLike | undefined;
  private state: ClientState = 'idle';
  private attempt = 0;
  private urlIndex = 0;
  private readonly rooms = new Set<string>();
  /** Event patterns per filtered room. */
  private readonly filters = new Map<string, string[]>();
  private readonly positions = new Map<string, { seq: number; epoch: string }>();
  private readonly recent = new RecentIds();
  private readonly handlers = new Map<string, Set<(data: unknown, meta: EventMeta) => void>>();
  private readonly anyHandlers = new Set<(event: string, data: unknown, meta: EventMeta) => void>();
  private readonly listeners = new Map<keyof ClientEvents, Set<Listener<never>>>();
  private readonly pendingSubscribes = new Map<
    string,
    { resolve: () => void; reject: (error: Error) => void }
  >();
  private timers: Array<ReturnType<typeof setTimeout>> = [];
  private connectWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private readonly Impl: WebSocketConstructor;
  clientId: string | undefined;
  instanceId: string | undefined;

  constructor(private readonly options: ClientOptions) {
    const Impl =
      options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Impl)
      throw new Error(
        'No WebSocket implementation: pass options.WebSocket (e.g. the `ws` package in Node 20).',
      );
    this.Impl = Impl;
  }

  get currentState(): ClientState {
    return this.state;
  }

  /** Opens the connection; resolves on `connection.established`. */
  connect(): Promise<void> {
    if (this.state === 'open') return Promise.resolve();
    const waiter = new Promise<void>((resolve, reject) =>
      this.connectWaiters.push({ resolve, reject }),
    );
    // open() never rejects: its failures settle the waiters or schedule a reconnect.
    if (this.state === 'idle' || this.state === 'closed') void this.open();
    return waiter;
  }

  /**
   * Joins a room now and after every reconnect (resumed from its last seq). With `events`, only
   * those types arrive, also after a reconnect; subscribing again replaces the filter.
   */
  subscribe(room: string, options: SubscribeOptions = {}): Promise<void> {
    const events = options.events && [...new Set(options.events)];
    // Refused here: the gateway's answer to a malformed frame names no room to settle this with.
    if (events && !validPatterns(events))
      return Promise.reject(
        new Error(
          `VALIDATION_ERROR: events must be 1 to ${MAX_EVENT_PATTERNS} types ("pr.created"), families ("pr.*") or "*".`,
        ),
      );
    this.rooms.add(room);
    if (events && !events.includes('*')) this.filters.set(room, events);
    else this.filters.delete(room);
    if (this.state !== 'open') return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.pendingSubscribes.set(room, { resolve, reject });
      this.send(this.subscribeFrame(room));
    });
  }

  unsubscribe(room: string): void {
    this.rooms.delete(room);
    this.filters.delete(room);
    this.positions.delete(room);
    if (this.state === 'open') this.send({ type: 'unsubscribe', room });
  }

  /** Typed handler for one event type; returns a function that removes it. */
  on<T extends EventType>(
    event: T,
    handler: (data: EventData<T>, meta: EventMeta) => void,
  ): () => void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    const wrapped = handler as (data: unknown, meta: EventMeta) => void;
    set.add(wrapped);
    return () => set.delete(wrapped);
  }

  onAny(handler: (event: string, data: unknown, meta: EventMeta) => void): () => void {
    this.anyHandlers.add(handler);
    return () => this.anyHandlers.delete(handler);
  }

  /** Lifecycle notifications (state, connected, resumed, recovery-failed, migrate, error...). */
  onClient<K extends keyof ClientEvents>(name: K, listener: Listener<ClientEvents[K]>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  /** Last seq and epoch seen per room. */
  getPositions(): Record<string, { seq: number; epoch: string }> {
    return Object.fromEntries(this.positions);
  }

  close(): void {
    this.setState('closed');
    this.clearTimers();
    this.socket?.close(1000, 'client closed');
    this.socket = undefined;
  }

  private async open(): Promise<void> {
    this.setState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    let token: string;
    try {
      token =
        typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
    } catch (error) {
      this.emit('error', { code: 'TOKEN_PROVIDER', message: (error as Error).message });
      this.scheduleReconnect();
      return;
    }
    if (this.state === 'closed') return;
    const urls = Array.isArray(this.options.url) ? this.options.url : [this.options.url];
    const url = urls[this.urlIndex % urls.length]!;
    const separator = url.includes('?') ? '&' : '?';
    let socket: WebSocketLike;
    try {
      socket = new this.Impl(`${url}${separator}token=${encodeURIComponent(token)}`);
    } catch (error) {
      // A URL the WebSocket implementation refuses (SyntaxError) fails the same way on every retry.
      this.setState('closed');
      for (const waiter of this.connectWaiters.splice(0)) waiter.reject(error as Error);
      return;
    }
    this.socket = socket;
    socket.onmessage = (event) => this.onFrame(String(event.data));
    socket.onerror = () => undefined;
    socket.onclose = (event) => this.onClose(socket, event.code, event.reason);
    this.scheduleRefresh(token);
  }

  private onClose(socket: WebSocketLike, code: number, reason: string): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    this.clearTimers();
    for (const pending of this.pendingSubscribes.values())
      pending.reject(new Error(`connection closed (${code})`));
    this.pendingSubscribes.clear();
    this.emit('disconnected', { code, reason });
    if (this.state === 'closed') return;
    const fatal =
      (code === CloseCodes.UNAUTHORIZED && typeof this.options.token === 'string') ||
      code === CloseCodes.FORBIDDEN;
    if (fatal || this.options.reconnect === false) {
      this.setState('closed');
      for (const waiter of this.connectWaiters.splice(0))
        waiter.reject(new Error(`connection closed (${code} ${reason})`));
      return;
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.setState('reconnecting');
    this.urlIndex += 1;
    const delay = backoffDelay(this.attempt, this.options.reconnect || {});
    this.attempt += 1;
    // open() never rejects (see connect()).
    this.timers.push(setTimeout(() => void this.open(), delay));
  }

  private onFrame(raw: string): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(raw) as ServerFrame;
    } catch {
      return;
    }
    switch (frame.type) {
      case 'connection.established':
        this.onEstablished(
          frame.clientId,
          frame.instanceId,
          frame.heartbeatMs,
          frame.rooms,
          frame.positions ?? {},
        );
        return;
      case 'event':
        this.onEvent(frame);
        return;
      case 'subscribed':
        if (
          !this.positions.has(frame.room) ||
          this.positions.get(frame.room)!.epoch !== frame.epoch
        ) {
          this.positions.set(frame.room, { seq: frame.seq, epoch: frame.epoch });
        }
        this.pendingSubscribes.get(frame.room)?.resolve();
        this.pendingSubscribes.delete(frame.room);
        return;
      case 'resumed':
        // A resume joins unfiltered: put the room's filter back (its position is kept).
        if (this.filters.has(frame.room)) this.send(this.subscribeFrame(frame.room));
        if (!frame.recovered) {
          this.positions.set(frame.room, { seq: frame.seq, epoch: frame.epoch });
          this.emit('recovery-failed', { room: frame.room });
        }
        this.emit('resumed', {
          room: frame.room,
          recovered: frame.recovered,
          replayed: frame.replayed,
        });
        return;
      case 'migrate':
        this.emit('migrate', { reconnectInMs: frame.reconnectInMs });
        // Move before the server closes us; the close handler reconnects (to the next URL).
        this.timers.push(
          setTimeout(() => this.socket?.close(1000, 'migrating'), frame.reconnectInMs),
        );
        return;
      case 'error':
        if (frame.room && this.pendingSubscribes.has(frame.room)) {
          this.rooms.delete(frame.room);
          this.filters.delete(frame.room);
          this.pendingSubscribes
            .get(frame.room)!
            .reject(new Error(`${frame.code}: ${frame.message}`));
          this.pendingSubscribes.delete(frame.room);
        }
        this.emit('error', {
          code: frame.code,
          message: frame.message,
          ...(frame.room ? { room: frame.room } : {}),
        });
        return;
      default:
        return;
    }
  }

  private onEstablished(
    clientId: string,
    instanceId: string,
    heartbeatMs: number,
    automatic: string[],
    starts: Record<string, { seq: number; epoch: string }>,
  ): void {
    this.clientId = clientId;
    this.instanceId = instanceId;
    this.attempt = 0;
    this.setState('open');
    // Resume every room we hold a position for; subscribe the rest.
    const positions: Record<string, number> = {};
    const epochs: Record<string, string> = {};
    for (const [room, position] of this.positions) {
      positions[room] = position.seq;
      if (position.epoch) epochs[room] = position.epoch;
    }
    if (Object.keys(positions).length > 0) this.send({ type: 'resume', positions, epochs });
    // An automatic room we have no position in yet starts where the server says: after a
    // reconnect it is resumed from there, even if no message of it ever arrived (a crash of the
    // instance, with messages published before we were back, must cost nothing).
    for (const room of automatic) {
      const start = starts[room];
      if (start && !this.positions.has(room))
        this.positions.set(room, { seq: start.seq, epoch: start.epoch });
    }
    for (const room of this.rooms) {
      if (!this.positions.has(room) && !automatic.includes(room))
        this.send(this.subscribeFrame(room));
      // An automatic room joins unfiltered; one being resumed gets its filter on `resumed`.
      else if (automatic.includes(room) && this.filters.has(room) && !(room in positions))
        this.send(this.subscribeFrame(room));
    }
    const every = this.options.pingIntervalMs ?? heartbeatMs;
    const ping = () => {
      this.send({ type: 'ping' });
      this.timers.push(setTimeout(ping, every));
    };
    this.timers.push(setTimeout(ping, every));
    this.emit('connected', { clientId, instanceId });
    for (const waiter of this.connectWaiters.splice(0)) waiter.resolve();
  }

  private onEvent(frame: EventFrame): void {
    const position = this.positions.get(frame.room);
    const filter = this.filters.get(frame.room);
    if (filter && !matchesEventPatterns(filter, frame.event)) {
      // Replayed or live before the filter was back on the server (after a resume): skipped,
      // as the server would have, but the position moves on so it is not replayed again.
      if (!position || position.epoch !== frame.epoch || frame.seq > position.seq)
        this.positions.set(frame.room, { seq: frame.seq, epoch: frame.epoch });
      return;
    }
    if (
      !this.recent.add(frame.id) ||
      (position && position.epoch === frame.epoch && frame.seq <= position.seq)
    ) {
      this.emit('duplicate', { room: frame.room, id: frame.id, seq: frame.seq });
      return;
    }
    this.positions.set(frame.room, { seq: frame.seq, epoch: frame.epoch });
    const meta: EventMeta = {
      room: frame.room,
      id: frame.id,
      seq: frame.seq,
      epoch: frame.epoch,
      ts: frame.ts,
    };
    for (const handler of this.handlers.get(frame.event) ?? []) handler(frame.data, meta);
    for (const handler of this.anyHandlers) handler(frame.event, frame.data, meta);
  }

  private scheduleRefresh(token: string): void {
    if (typeof this.options.token !== 'function') return;
    const exp = tokenExpiry(token);
    if (exp === undefined) return;
    const inMs = exp * 1000 - Date.now() - (this.options.refreshBeforeExpiryMs ?? 30_000);
    const provider = this.options.token;
    const refresh = async (): Promise<void> => {
      try {
        const fresh = await provider();
        this.send({ type: 'auth', token: fresh });
        this.scheduleRefresh(fresh);
      } catch (error) {
        this.emit('error', { code: 'TOKEN_PROVIDER', message: (error as Error).message });
      }
    };
    // refresh() handles its own failure (an error event), so nothing is left to await here.
    this.timers.push(setTimeout(() => void refresh(), Math.max(0, Math.min(inMs, 2_147_483_647))));
  }

  private subscribeFrame(room: string): ClientFrame {
    const events = this.filters.get(room);
    return events ? { type: 'subscribe', room, events } : { type: 'subscribe', room };
  }

  private send(frame: ClientFrame): void {
    if (this.socket && this.socket.readyState === OPEN) this.socket.send(JSON.stringify(frame));
  }

  private setState(state: ClientState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', state);
  }

  private emit<K extends keyof ClientEvents>(name: K, value: ClientEvents[K]): void {
    for (const listener of this.listeners.get(name) ?? [])
      (listener as Listener<ClientEvents[K]>)(value);
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }
}

const eventPattern = new RegExp(EventPattern.pattern ?? '');
function validPatterns(events: string[]): boolean {
  return (
    events.length > 0 &&
    events.length <= MAX_EVENT_PATTERNS &&
    events.every((event) => eventPattern.test(event))
  );
}
