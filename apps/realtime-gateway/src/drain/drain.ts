import { CloseCode } from '@switchboard/events';
import type { ClientConnection } from '../connection/client-connection.js';

export interface DrainOptions {
  /** Spread the closes over this long; the drain ends at this deadline at the latest. */
  drainMs: number;
  /** Number of batches the connections are closed in. Default 10. */
  batches?: number;
}

export interface DrainResult {
  closed: number;
  forced: number;
}

/**
 * Every client gets a `migrate` frame, then connections are closed 1012 in batches over drainMs
 * so they reconnect elsewhere without a thundering herd. Resolves when no connection is left
 * (`open` is the live set, emptied as sockets close) or at the deadline, when the rest are cut.
 */
export async function closeInBatches(
  open: ReadonlyMap<string, ClientConnection>,
  options: DrainOptions,
): Promise<DrainResult> {
  const deadline = Date.now() + options.drainMs;
  const connections = [...open.values()];
  const batches = Math.max(1, options.batches ?? 10);
  const perBatch = Math.ceil(connections.length / batches);
  const interval = options.drainMs / batches;
  connections.forEach((connection, index) => {
    const batch = perBatch === 0 ? 0 : Math.floor(index / perBatch);
    connection.sendFrame({ type: 'migrate', reconnectInMs: Math.round(batch * interval) });
  });
  for (let batch = 0; batch < batches && open.size > 0; batch += 1) {
    for (const connection of connections.slice(batch * perBatch, (batch + 1) * perBatch))
      connection.close(CloseCode.DRAINING, 'draining for restart');
    if (batch < batches - 1) await sleep(Math.max(0, Math.min(interval, deadline - Date.now())));
  }
  while (open.size > 0 && Date.now() < deadline) await sleep(25);
  const forced = open.size;
  for (const connection of open.values()) connection.socket.terminate();
  return { closed: connections.length - forced, forced };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
