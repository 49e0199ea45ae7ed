import { createHmac } from 'node:crypto';
import { mintToken, type RoleName } from '@switchboard/auth';
import { createKeyspace } from '@switchboard/keyspace';
import type { TypedFastify } from '@switchboard/service-kit';
import { type RedisServer, startRedis, waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, onTestFinished } from 'vitest';
import WebSocket from 'ws';
import { type AppOptions, buildApp } from '../src/app.js';

export const TEST_SECRET = 'test-secret-for-realtime-gateway';

export function tokenFor(
  sub: string,
  dealershipId: string,
  role: RoleName = 'user',
  ttl?: string,
): string {
  return mintToken({ sub, dealershipId, role, ...(ttl ? { ttl } : {}) }, { secret: TEST_SECRET });
}

/** An HS256 token with arbitrary claims (expired ones, missing claims, other secrets). */
export function rawToken(claims: Record<string, unknown>, secret = TEST_SECRET): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

/** A private Redis for this test file, started before and removed after its tests. */
export function useRedis(): { readonly server: RedisServer } {
  const holder = {} as { server: RedisServer };
  beforeAll(async () => {
    holder.server = await startRedis();
  });
  afterAll(async () => {
    await holder.server?.cleanup();
  });
  return holder;
}

/** The app on the test file's Redis; close it in afterEach/afterAll. */
export async function build(
  redisUrl: string,
  options: Partial<AppOptions> = {},
): Promise<TypedFastify> {
  const app = await buildApp({
    redisUrl,
    keyspace: createKeyspace(''),
    auth: { secret: TEST_SECRET },
    logLevel: 'silent',
    ...options,
  });
  await app.ready();
  return app;
}

export interface RunningGateway {
  app: TypedFastify;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A gateway listening on a free port of 127.0.0.1. */
export async function startGateway(
  redisUrl: string,
  options: Partial<AppOptions> = {},
): Promise<RunningGateway> {
  const app = await build(redisUrl, options);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, port, url: `ws://127.0.0.1:${port}/ws`, close: () => app.close() };
}

export type Frame = Record<string, unknown> & { type: string };

/**
 * Closes the socket when the current test ends, passed or failed, so a failing assertion does not
 * leave it open for the tests after it.
 */
function closeWhenTestEnds(socket: WebSocket): void {
  try {
    onTestFinished(() => socket.close());
  } catch {
    // Opened outside a test (beforeAll): the suite's own afterAll closes it.
  }
}

/** A raw `ws` client that records every frame it receives; closed when the test that opened it ends. */
export class TestClient {
  readonly frames: Frame[] = [];
  closeCode: number | undefined;
  closeReason = '';
  unexpectedStatus: number | undefined;
  unexpectedBody = '';
  readonly opened: Promise<void>;
  readonly closed: Promise<number>;

  constructor(readonly socket: WebSocket) {
    closeWhenTestEnds(socket);
    socket.on('message', (data) => this.frames.push(JSON.parse(String(data)) as Frame));
    this.opened = new Promise((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) => {
        this.unexpectedStatus = response.statusCode;
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => {
          this.unexpectedBody = body;
          reject(new Error(`unexpected response ${response.statusCode}`));
        });
      });
    });
    this.opened.catch(() => undefined);
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        resolve(code);
      });
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  of(type: string): Frame[] {
    return this.frames.filter((frame) => frame.type === type);
  }

  events(room?: string): Frame[] {
    return this.frames.filter(
      (frame) => frame.type === 'event' && (room === undefined || frame.room === room),
    );
  }

  async waitFor(
    predicate: (frame: Frame) => boolean,
    message = 'frame',
    timeoutMs = 5_000,
  ): Promise<Frame> {
    return waitFor(() => this.frames.find(predicate), { message, timeoutMs });
  }

  /** Subscribes and waits for the `subscribed` (or `error`) answer. */
  async subscribe(room: string): Promise<Frame> {
    const before = this.frames.length;
    this.send({ type: 'subscribe', room });
    return waitFor(
      () =>
        this.frames
          .slice(before)
          .find(
            (frame) =>
              (frame.type === 'subscribed' || frame.type === 'error') && frame.room === room,
          ),
      { message: `subscribe ${room}` },
    );
  }

  close(): void {
    this.socket.close();
  }
}

/** Connects (token in the query unless `header` is set) and waits for connection.established. */
export async function connect(
  url: string,
  token: string | undefined,
  options: { header?: boolean; established?: boolean } = {},
): Promise<TestClient> {
  const target = token && !options.header ? `${url}?token=${encodeURIComponent(token)}` : url;
  const socket = new WebSocket(
    target,
    token && options.header ? { headers: { authorization: `Bearer ${token}` } } : {},
  );
  const client = new TestClient(socket);
  await client.opened;
  if (options.established !== false) {
    await client.waitFor(
      (frame) => frame.type === 'connection.established',
      'connection.established',
    );
    // The automatic rooms are ready once the server answers a frame sent after them.
    client.send({ type: 'ping', id: 'ready' });
    await client.waitFor((frame) => frame.type === 'pong' && frame.id === 'ready', 'ready');
  }
  return client;
}
