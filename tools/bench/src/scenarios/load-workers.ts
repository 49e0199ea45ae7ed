import type {
  FromPublisher,
  FromSubscriber,
  ToPublisher,
  ToSubscriber,
} from '../load/worker-protocol.js';
import { probeEnv } from '../proc/probe.js';
import { type WorkerHandle, startWorker } from '../proc/worker-handle.js';

type SubscriberWorker = WorkerHandle<ToSubscriber, FromSubscriber>;
type PublisherWorker = WorkerHandle<ToPublisher, FromPublisher>;

export interface LoadWorkers {
  subs: SubscriberWorker[];
  pub: PublisherWorker;
  close(): Promise<void>;
}

/**
 * `subscribers` subscriber processes and one publisher. The load generators carry the probe too:
 * a stall in a subscriber process delays receipts as much as one in a server, and the report
 * must tell the two apart.
 */
export function startLoadWorkers(subscribers: number): LoadWorkers {
  const subscriberScript = new URL('../load/subscriber-worker.js', import.meta.url);
  const subs = Array.from({ length: subscribers }, () =>
    startWorker<ToSubscriber, FromSubscriber>(subscriberScript, probeEnv()),
  );
  const pub = startWorker<ToPublisher, FromPublisher>(
    new URL('../load/publisher-worker.js', import.meta.url),
    probeEnv(),
  );
  return {
    subs,
    pub,
    close: async () => {
      await Promise.all([
        ...subs.map((s) => s.close({ type: 'close' })),
        pub.close({ type: 'close' }),
      ]);
    },
  };
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
