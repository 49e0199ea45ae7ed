import { Emitter } from '@socket.io/redis-emitter';
import { createKeyspace } from '@switchboard/keyspace';
import { createPublisher, type Publisher } from '@switchboard/room-log';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import {
  type BenchPayload,
  type FromPublisher,
  type PublisherKind,
  type ToPublisher,
  nowMicros,
} from './worker-protocol.js';

/**
 * Publisher load generator (its own process): publishes at a fixed rate for a fixed time, the
 * way each peer's applications publish — Switchboard through @switchboard/room-log (Lua: seq +
 * history + PUBLISH), Socket.IO through @socket.io/redis-emitter, the raw ws server over one
 * WebSocket connection (it has no Redis).
 */
type PublishOne = (room: string, payload: BenchPayload) => Promise<unknown> | void;

let publishOne: PublishOne | undefined;
let closeAll: () => Promise<void> = async () => {};

function send(message: FromPublisher): void {
  process.send?.(message);
}

async function init(
  kind: PublisherKind,
  target: string,
  keyPrefix: string | undefined,
  dealershipId: string,
): Promise<void> {
  if (kind === 'switchboard') {
    const redis = new Redis(target, { maxRetriesPerRequest: 1, enableAutoPipelining: true });
    const publisher: Publisher = createPublisher(redis, {
      keyspace: createKeyspace(keyPrefix ?? ''),
    });
    publishOne = (room, payload) =>
      publisher.publish({ room, dealershipId, event: 'project.updated', data: payload });
    closeAll = async () => {
      await publisher.close();
      redis.disconnect();
    };
  } else if (kind === 'socketio') {
    const redis = new Redis(target, { maxRetriesPerRequest: 1, enableAutoPipelining: true });
    const emitter = new Emitter(redis);
    publishOne = (room, payload) => {
      emitter.to(room).emit('event', payload);
    };
    closeAll = async () => redis.disconnect();
  } else {
    const ws = new WebSocket(target, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    publishOne = (room, payload) => {
      ws.send(JSON.stringify({ type: 'publish', room, data: payload }));
    };
    closeAll = async () => ws.close();
  }
}

/**
 * Sends `rate` messages per second for `durationMs`, round-robin over the rooms. A 1 ms tick
 * catches up to where the schedule says it should be, so timer jitter does not lower the rate;
 * at most `maxInFlight` publishes wait for Redis at once (beyond that the publisher itself is
 * the bottleneck and the achieved rate shows it).
 */
async function runStep(
  step: number,
  rate: number,
  durationMs: number,
  rooms: string[],
  payloadBytes: number,
  maxInFlight: number,
): Promise<void> {
  const publish = publishOne;
  if (!publish) throw new Error('publisher not initialised');
  const published: Record<string, number> = Object.fromEntries(rooms.map((r) => [r, 0]));
  const pad = 'x'.repeat(Math.max(0, payloadBytes - 90));
  let attempted = 0;
  let errors = 0;
  let firstError: string | undefined;
  let inFlight = 0;
  let cursor = 0;
  const total = Math.round((rate * durationMs) / 1000);
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - started;
      const due = Math.min(total, Math.floor((elapsed / 1000) * rate));
      while (attempted < due && inFlight < maxInFlight) {
        const room = rooms[cursor % rooms.length]!;
        cursor += 1;
        const n = published[room]!;
        published[room] = n + 1;
        attempted += 1;
        const payload: BenchPayload = {
          projectId: room.slice('project:'.length),
          s: step,
          n,
          t: nowMicros(),
          pad,
        };
        const result = publish(room, payload);
        if (result) {
          inFlight += 1;
          result.then(
            () => (inFlight -= 1),
            (err: Error) => {
              inFlight -= 1;
              errors += 1;
              firstError ??= err.message;
            },
          );
        }
      }
      if (attempted >= total || elapsed > durationMs * 1.5) return resolve();
      setTimeout(tick, 1);
    };
    tick();
  });
  while (inFlight > 0 && performance.now() - started < durationMs * 2 + 5000)
    await new Promise((r) => setTimeout(r, 5));
  send({
    type: 'step-done',
    step,
    published,
    attempted,
    errors,
    elapsedMs: performance.now() - started,
    ...(firstError ? { firstError } : {}),
  });
}

process.on('message', (raw) => {
  const message = raw as ToPublisher;
  const fail = (err: Error) => send({ type: 'fatal', message: err.message });
  switch (message.type) {
    case 'init':
      init(message.kind, message.target, message.keyPrefix, message.dealershipId ?? 'bench').then(
        () => send({ type: 'ready' }),
        fail,
      );
      return;
    case 'step':
      runStep(
        message.step,
        message.rate,
        message.durationMs,
        message.rooms,
        message.payloadBytes,
        message.maxInFlight,
      ).catch(fail);
      return;
    case 'close':
      // The parent asked this worker to go: it exits whether the close went well or not.
      void closeAll().finally(() => process.exit(0));
      return;
  }
});

process.on('disconnect', () => process.exit(0));
