import type {
  ClientSpec,
  ConnectReport,
  FromSubscriber,
  ToSubscriber,
} from '../load/worker-protocol.js';
import { sourceAddress } from '../proc/source-address.js';
import type { WorkerHandle } from '../proc/worker-handle.js';
import type { FanoutTarget } from './fanout-target.js';

/**
 * `count` clients dealt round-robin over `workers` subscriber workers, over the target's
 * instances and over loopback source addresses (one address runs out of ports near 28 000).
 */
export function dealClients(
  target: FanoutTarget,
  count: number,
  workers: number,
  roomsOf: (client: number) => string[],
): ClientSpec[][] {
  const specs: ClientSpec[][] = Array.from({ length: workers }, () => []);
  for (let i = 0; i < count; i++) {
    specs[i % workers]!.push({
      url: target.endpoints[i % target.endpoints.length]!,
      rooms: roomsOf(i),
      localAddress: sourceAddress(i),
      ...(target.tokenFor ? { token: target.tokenFor(i) } : {}),
    });
  }
  return specs;
}

/** Each worker opens its share (`specs[w]`); resolves with every worker's report. */
export function connectClients(
  subs: WorkerHandle<ToSubscriber, FromSubscriber>[],
  specs: ClientSpec[][],
  target: FanoutTarget,
  limits: { concurrency: number; timeoutMs: number; replyWithinMs: number; ratePerSec?: number },
): Promise<ConnectReport[]> {
  return Promise.all(
    subs.map((sub, w) =>
      sub.request(
        {
          type: 'connect',
          kind: target.clientKind,
          clients: specs[w]!,
          concurrency: limits.concurrency,
          timeoutMs: limits.timeoutMs,
          ...(limits.ratePerSec ? { ratePerSec: limits.ratePerSec / subs.length } : {}),
        },
        (m): m is ConnectReport => m.type === 'connected',
        limits.replyWithinMs,
      ),
    ),
  );
}
