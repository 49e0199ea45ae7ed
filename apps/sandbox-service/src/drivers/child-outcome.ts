import type { ChildProcess } from 'node:child_process';

export interface ChildExit {
  code: number | null;
  signal: string | null;
}

/**
 * How a spawned execution ended, taken before anything is awaited so no event is missed:
 * `exited` when the process ends (or fails to spawn), `closed` once its pipes are drained,
 * which can be later than exit when a left-behind child still holds them.
 */
export function childOutcome(child: ChildProcess): {
  exited: Promise<ChildExit>;
  closed: Promise<void>;
} {
  const exited = new Promise<ChildExit>((resolveExit, rejectExit) => {
    child.once('error', rejectExit);
    child.once('exit', (code, exitSignal) => resolveExit({ code, signal: exitSignal }));
  });
  const closed = new Promise<void>((resolveClose) => child.once('close', () => resolveClose()));
  return { exited, closed };
}
