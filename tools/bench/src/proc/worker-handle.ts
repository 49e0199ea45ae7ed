import type { Child } from './children.js';
import { spawnNodeWorker } from './children.js';

/**
 * A bench worker process with typed request/response over IPC: `request` sends a message and
 * waits for the first reply that `match` accepts (or a `fatal`, or the child's death, or a timeout).
 */
export interface WorkerHandle<In, Out extends { type: string }> {
  child: Child;
  send(message: In): void;
  request<T extends Out>(
    message: In | undefined,
    match: (reply: Out) => reply is T,
    timeoutMs: number,
  ): Promise<T>;
  close(closeMessage: In): Promise<void>;
}

/** Sends `message` to every worker and waits for each one's reply (WorkerHandle.request). */
export function requestAll<In, Out extends { type: string }, T extends Out>(
  workers: readonly WorkerHandle<In, Out>[],
  message: In,
  match: (reply: Out) => reply is T,
  timeoutMs: number,
): Promise<T[]> {
  return Promise.all(workers.map((worker) => worker.request(message, match, timeoutMs)));
}

export function startWorker<In, Out extends { type: string }>(
  script: URL,
  env: Record<string, string> = {},
): WorkerHandle<In, Out> {
  const child = spawnNodeWorker(script, env);
  const proc = child.process;
  return {
    child,
    send(message) {
      if (proc.connected) proc.send(message as object);
    },
    request<T extends Out>(
      message: In | undefined,
      match: (reply: Out) => reply is T,
      timeoutMs: number,
    ): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const cleanup = () => {
          clearTimeout(timer);
          proc.off('message', onMessage);
          proc.off('exit', onExit);
        };
        const onMessage = (reply: Out) => {
          if (reply.type === 'fatal') {
            cleanup();
            reject(
              new Error(
                `worker ${script.pathname.split('/').pop()}: ${(reply as unknown as { message: string }).message}`,
              ),
            );
          } else if (match(reply)) {
            cleanup();
            resolve(reply);
          }
        };
        const onExit = (code: number | null) => {
          cleanup();
          reject(
            new Error(
              `worker ${script.pathname.split('/').pop()} exited (${code}): ${child.tail().slice(-600)}`,
            ),
          );
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `worker ${script.pathname.split('/').pop()} did not answer within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
        proc.on('message', onMessage);
        proc.once('exit', onExit);
        if (message !== undefined && proc.connected) proc.send(message as object);
      });
    },
    async close(closeMessage) {
      if (proc.connected) proc.send(closeMessage as object);
      const timer = setTimeout(() => void child.kill(), 2000);
      await child.exited;
      clearTimeout(timer);
    },
  };
}
