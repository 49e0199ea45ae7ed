import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { ClientConnection } from '../connection/client-connection.js';
import { Heartbeat } from './heartbeat.js';

const HEARTBEAT_MS = 1000;
const principal = {
  sub: 'u1',
  dealershipId: 'A',
  role: 'user',
  exp: Math.floor(Date.now() / 1000) + 3600,
} as ClientConnection['principal'];
const noHooks = {
  onDuplicate: () => undefined,
  onSlowConsumer: () => undefined,
  onSent: () => undefined,
};
const limits = { slowConsumerBytes: 1 << 20, ratePerMinute: 60, rateBurst: 60, rateStrikes: 10 };

/** A real socket pair; the client never answers pings, so every ping stays unanswered. */
async function silentPair(): Promise<{
  server: WebSocketServer;
  connection: ClientConnection;
  closed: Promise<number>;
}> {
  const server = new WebSocketServer({ port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  const accepted = new Promise<WebSocket>((resolve) => server.once('connection', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`, {
    autoPong: false,
  });
  const closed = new Promise<number>((resolve) => client.once('close', resolve));
  const connection = new ClientConnection(
    'c1',
    await accepted,
    principal,
    '127.0.0.1',
    limits,
    noHooks,
  );
  return { server, connection, closed };
}

describe('Heartbeat', () => {
  let server: WebSocketServer | undefined;
  afterEach(() => server?.close());

  it('closes 4408 a connection whose ping went unanswered by the next round', async () => {
    const pair = await silentPair();
    server = pair.server;
    const heartbeat = new Heartbeat({ heartbeatMs: HEARTBEAT_MS, idleTimeoutMs: 60_000 }, () => [
      pair.connection,
    ]);
    const start = Date.now();
    heartbeat.start();
    heartbeat.stop();
    heartbeat.round(start + HEARTBEAT_MS);
    expect(pair.connection.closed).toBe(false);
    heartbeat.round(start + 2 * HEARTBEAT_MS);
    expect(await pair.closed).toBe(4408);
  });

  it('only pings in a round that runs late after a stall, and judges again in the next one', async () => {
    const pair = await silentPair();
    server = pair.server;
    const heartbeat = new Heartbeat({ heartbeatMs: HEARTBEAT_MS, idleTimeoutMs: 60_000 }, () => [
      pair.connection,
    ]);
    const start = Date.now();
    heartbeat.start();
    heartbeat.stop();
    heartbeat.round(start + HEARTBEAT_MS);
    // The process stalled for three heartbeats: the unanswered ping is not held against anyone.
    heartbeat.round(start + 4 * HEARTBEAT_MS);
    expect(pair.connection.closed).toBe(false);
    heartbeat.round(start + 5 * HEARTBEAT_MS);
    expect(await pair.closed).toBe(4408);
  });
});

describe('Heartbeat rounds over many connections', () => {
  it('pings a slice of the connections per turn of the event loop, so a round never holds the loop for all of them', async () => {
    const pinged: number[] = [];
    // Only what a round uses of a connection: what is measured here is when each is pinged.
    const connections = Array.from(
      { length: 250 },
      (_, index) =>
        ({
          closed: index === 7,
          missedHeartbeat: () => false,
          ping: () => pinged.push(index),
          closeForcefully: () => undefined,
        }) as unknown as ClientConnection,
    );
    const heartbeat = new Heartbeat(
      { heartbeatMs: HEARTBEAT_MS, idleTimeoutMs: 60_000 },
      () => connections,
    );
    heartbeat.round(Date.now());
    expect(pinged).toHaveLength(99); // the first 100, less the closed one
    await new Promise((resolve) => setImmediate(resolve));
    expect(pinged).toHaveLength(199);
    await new Promise((resolve) => setImmediate(resolve));
    expect(pinged).toHaveLength(249);
    expect(pinged).not.toContain(7);
    expect(pinged).toEqual([...pinged].sort((a, b) => a - b));
  });
});
