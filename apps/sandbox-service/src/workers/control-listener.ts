import { parseMessage } from '@switchboard/events';
import { createRedis } from '@switchboard/redis';
import type { Logger } from 'pino';
import type { SandboxRuntime } from '../runtime/sandbox-runtime.js';
import { ControlMessage } from '../schemas/control.js';
import type { SandboxStateApplier } from './sandbox-state-applier.js';

/** Subscribes to the keyspace control channel; each message makes this worker re-apply that sandbox's state. */
export async function startControlListener(
  redisUrl: string,
  runtime: SandboxRuntime,
  applier: SandboxStateApplier,
  log: Logger,
) {
  const subscriber = createRedis(redisUrl, {
    name: 'sandbox-worker-control',
    maxRetriesPerRequest: null,
  });
  subscriber.on('error', (error: Error) => log.warn({ err: error }, 'control subscriber error'));
  subscriber.on('message', (_channel: string, raw: string) => {
    const message = parseMessage(ControlMessage, raw);
    if (!message) {
      log.warn({ raw: raw.slice(0, 200) }, 'ignoring malformed control message');
      return;
    }
    // apply() logs its own failures; the reconcile loop of a running execution retries.
    void applier.apply(message.sandboxId);
  });
  await subscriber.subscribe(runtime.keyspace.sandbox.controlChannel());
  return {
    close: async () => {
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
