import { type BenchClient, connectClient } from './bench-clients.js';
import { ReceiptTracker } from './receipt-tracker.js';
import {
  type BenchPayload,
  type ClientSpec,
  type ConnectReport,
  type FromSubscriber,
  type ToSubscriber,
  nowMicros,
} from './worker-protocol.js';

/**
 * Subscriber load generator (its own process): holds many client connections, records each
 * delivery's latency against the publish timestamp carried in the payload.
 */
const clients: BenchClient[] = [];
const tracker = new ReceiptTracker();
let disconnects = 0;

function send(message: FromSubscriber): void {
  process.send?.(message);
}

async function connectAll(
  kind: 'ws-raw' | 'socketio' | 'switchboard',
  specs: ClientSpec[],
  concurrency: number,
  timeoutMs: number,
  ratePerSec?: number,
): Promise<ConnectReport> {
  const connectMs: number[] = [];
  const errors: string[] = [];
  const members: Record<string, number> = {};
  let failed = 0;
  const connectOne = async (index: number, startedAt: number) => {
    const spec = specs[index]!;
    try {
      const client = await connectClient(
        kind,
        spec,
        {
          onEvent: (data: BenchPayload) => {
            const room = `project:${data.projectId}`;
            tracker.receive(`${index}|${room}`, room, data.s, data.n, nowMicros() - data.t);
          },
          onDrop: () => {
            disconnects += 1;
          },
        },
        timeoutMs,
      );
      connectMs.push(performance.now() - startedAt);
      clients.push(client);
      for (const room of spec.rooms) members[room] = (members[room] ?? 0) + 1;
    } catch (err) {
      failed += 1;
      if (errors.length < 5) errors.push((err as Error).message);
    }
  };
  if (ratePerSec) await openLoop(specs.length, ratePerSec, concurrency, connectOne);
  else await closedLoop(specs.length, concurrency, connectOne);
  return { type: 'connected', ok: connectMs.length, failed, connectMs, errors, members };
}

/** `concurrency` lanes, each starting its next client when its previous one is done. */
async function closedLoop(
  count: number,
  concurrency: number,
  connectOne: (index: number, startedAt: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await connectOne(next++, performance.now());
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

/** Client i is due at i / ratePerSec s; at most `inFlight` attempts run at once. */
async function openLoop(
  count: number,
  ratePerSec: number,
  inFlight: number,
  connectOne: (index: number, startedAt: number) => Promise<void>,
): Promise<void> {
  const began = performance.now();
  const running = new Set<Promise<void>>();
  for (let index = 0; index < count; index++) {
    const dueAt = began + (index * 1000) / ratePerSec;
    const wait = dueAt - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    while (running.size >= inFlight) await Promise.race(running);
    const attempt = connectOne(index, dueAt).finally(() => running.delete(attempt));
    running.add(attempt);
  }
  await Promise.all(running);
}

process.on('message', (raw) => {
  const message = raw as ToSubscriber;
  switch (message.type) {
    case 'connect':
      void connectAll(
        message.kind,
        message.clients,
        message.concurrency,
        message.timeoutMs,
        message.ratePerSec,
      ).then(send, (err: Error) => send({ type: 'fatal', message: err.message }));
      return;
    case 'step-begin':
      tracker.begin(message.step);
      disconnects = 0;
      return;
    case 'peek':
      send({
        type: 'peek-report',
        step: message.step,
        unique: tracker.step === message.step ? tracker.total : 0,
      });
      return;
    case 'step-end':
      send({
        type: 'step-report',
        step: message.step,
        unique: tracker.unique,
        duplicates: tracker.duplicates,
        late: tracker.late,
        latency: tracker.latency,
        disconnects,
      });
      return;
    case 'close':
      for (const client of clients) client.close();
      setTimeout(() => process.exit(0), 200);
      return;
  }
});

// The harness owns our life: if it goes away, so do we.
process.on('disconnect', () => process.exit(0));
