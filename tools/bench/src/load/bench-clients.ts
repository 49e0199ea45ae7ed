import { io } from 'socket.io-client';
import WebSocket from 'ws';
import type { BenchPayload, ClientKind, ClientSpec } from './worker-protocol.js';

/** A connected, subscribed client of any peer, reduced to what the bench needs. */
export interface BenchClient {
  close(): void;
}

export interface ClientHooks {
  onEvent(data: BenchPayload): void;
  onDrop(): void;
}

function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
  cleanup: () => void,
): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${what} timed out after ${ms} ms`));
      }, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Raw `ws` (the bench's own broadcast server) and Switchboard speak the same frame shapes for
 * what the bench uses: `{type:"subscribe", room}` -> `{type:"subscribed", room}` and
 * `{type:"event", room, data}`. Switchboard also sends `connection.established` first.
 */
function connectJsonWs(
  spec: ClientSpec,
  hooks: ClientHooks,
  timeoutMs: number,
  waitEstablished: boolean,
): Promise<BenchClient> {
  const url = spec.token ? `${spec.url}?token=${encodeURIComponent(spec.token)}` : spec.url;
  const ws = new WebSocket(url, { localAddress: spec.localAddress, perMessageDeflate: false });
  const ready = new Promise<BenchClient>((resolve, reject) => {
    const pending = new Set(spec.rooms);
    let established = !waitEstablished;
    let settled = false;
    const subscribeAll = () => {
      for (const room of spec.rooms) ws.send(JSON.stringify({ type: 'subscribe', room }));
      if (pending.size === 0) finish();
    };
    const finish = () => {
      if (settled) return;
      settled = true;
      resolve({ close: () => ws.terminate() });
    };
    ws.on('open', () => {
      if (established) subscribeAll();
    });
    ws.on('message', (raw) => {
      const frame = JSON.parse(raw.toString()) as {
        type: string;
        room?: string;
        data?: BenchPayload;
        code?: string;
        message?: string;
        heartbeatMs?: number;
      };
      if (frame.type === 'event' && frame.data) {
        hooks.onEvent(frame.data);
      } else if (frame.type === 'connection.established') {
        established = true;
        // As the SDK does: an app-level ping every heartbeatMs, or the gateway closes the
        // connection as idle (IDLE_TIMEOUT_MS) during a long hold.
        const heartbeat = setInterval(
          () => ws.send(JSON.stringify({ type: 'ping' })),
          frame.heartbeatMs ?? 25_000,
        );
        heartbeat.unref();
        ws.once('close', () => clearInterval(heartbeat));
        subscribeAll();
      } else if (frame.type === 'subscribed' && frame.room) {
        pending.delete(frame.room);
        if (pending.size === 0) finish();
      } else if (frame.type === 'error' && !settled) {
        settled = true;
        ws.terminate();
        reject(new Error(`error frame ${frame.code}: ${frame.message}`));
      }
    });
    ws.on('unexpected-response', (_req, res) => {
      settled = true;
      reject(new Error(`upgrade refused: HTTP ${res.statusCode}`));
      ws.terminate();
    });
    ws.on('error', (err) => {
      if (!settled) {
        settled = true;
        reject(err);
      }
    });
    ws.on('close', (code) => {
      if (!settled) {
        settled = true;
        reject(new Error(`closed ${code} before ready`));
      } else {
        hooks.onDrop();
      }
    });
  });
  return withTimeout(ready, timeoutMs, 'connect', () => ws.terminate());
}

/** Socket.IO client on the WebSocket transport only (no long-polling upgrade dance). */
function connectSocketIo(
  spec: ClientSpec,
  hooks: ClientHooks,
  timeoutMs: number,
): Promise<BenchClient> {
  const socket = io(spec.url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    // engine.io-client hands localAddress through to `ws` in Node (not in its public types).
    localAddress: spec.localAddress,
  } as unknown as Parameters<typeof io>[1]);
  const ready = new Promise<BenchClient>((resolve, reject) => {
    let settled = false;
    socket.on('event', (data: BenchPayload) => hooks.onEvent(data));
    socket.on('connect', async () => {
      try {
        await Promise.all(
          spec.rooms.map((room) => socket.timeout(timeoutMs).emitWithAck('subscribe', room)),
        );
        settled = true;
        resolve({ close: () => socket.disconnect() });
      } catch (err) {
        settled = true;
        reject(err as Error);
      }
    });
    socket.on('connect_error', (err) => {
      if (!settled) {
        settled = true;
        reject(err);
      }
    });
    socket.on('disconnect', () => {
      if (settled) hooks.onDrop();
    });
  });
  return withTimeout(ready, timeoutMs, 'connect', () => socket.disconnect());
}

export function connectClient(
  kind: ClientKind,
  spec: ClientSpec,
  hooks: ClientHooks,
  timeoutMs: number,
): Promise<BenchClient> {
  if (kind === 'socketio') return connectSocketIo(spec, hooks, timeoutMs);
  return connectJsonWs(spec, hooks, timeoutMs, kind === 'switchboard');
}
