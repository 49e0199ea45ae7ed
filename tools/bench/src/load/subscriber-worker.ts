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
): Promise<ConnectReport> {
  const connectMs: number[] = [];
  const errors: string[] = [];
  const members: Record<string, number> = {};
  let failed = 0;
  let next = 0;
  const lane = async () => {
    while (next < specs.length) {
      const index = next++;
      const spec = specs[index]!;
      const started = performance.now();
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
        connectMs.push(performance.now() - started);
        clients.push(client);
        for (const room of spec.rooms) members[room] = (members[room] ?? 0) + 1;
      } catch (err) {
        failed += 1;
        if (errors.length < 5) errors.push((err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, specs.length) }, lane));
  return { type: 'connected', ok: connectMs.length, failed, connectMs, errors, members };
}

process.on('message', (raw) => {
  const message = raw as ToSubscriber;
  switch (message.type) {
    case 'connect':
      void connectAll(message.kind, message.clients, message.concurrency, message.timeoutMs).then(
        send,
        (err: Error) => send({ type: 'fatal', message: err.message }),
      );
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
