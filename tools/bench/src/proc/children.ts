import { type ChildProcess, spawn } from 'node:child_process';

/**
 * Every process the harness starts goes through here, so that all of them die with the run:
 * at normal exit, on an uncaught error, on SIGINT/SIGTERM and when the deadline fires.
 */
const live = new Set<ChildProcess>();
let hooksInstalled = false;

export function killAllChildren(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.once('exit', killAllChildren);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.error(`\nbench: ${signal}, stopping every child process`);
      killAllChildren();
      process.exit(130);
    });
  }
}

export interface SpawnOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Open an IPC channel (for the bench's own worker processes). */
  ipc?: boolean;
  /** Forward the child's stderr to ours (default: keep the last lines for error messages). */
  inheritStderr?: boolean;
  /** Raise the soft open-file limit to this (capped by the hard limit) before exec. */
  nofile?: number;
}

export interface Child {
  process: ChildProcess;
  pid: number;
  /** The last ~4 KiB of the child's stderr and stdout, for diagnostics. */
  tail(): string;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  /** Sends `signal` (default SIGKILL) and waits for the exit; SIGKILL after `graceMs`. */
  kill(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

/**
 * Starts a command through `sh -c 'ulimit -n ...; exec "$@"'`: the open-file limit is raised in
 * the child itself (soft up to the hard limit; the hard limit can only be raised with
 * CAP_SYS_RESOURCE) and `exec` keeps the pid, so the pid we track is the real process.
 */
export function spawnTracked(
  command: string,
  args: readonly string[],
  options: SpawnOptions = {},
): Child {
  installHooks();
  const nofile = options.nofile ?? 200_000;
  const script = `ulimit -n ${nofile} 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"`;
  const child = spawn('sh', ['-c', script, 'sh', command, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env } as NodeJS.ProcessEnv,
    stdio: [
      'ignore',
      'pipe',
      options.inheritStderr ? 'inherit' : 'pipe',
      ...(options.ipc ? (['ipc'] as const) : []),
    ],
  });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  live.add(child);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4096);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      live.delete(child);
      resolve(code);
    });
  });
  return {
    process: child,
    pid: child.pid,
    tail: () => tail,
    exited,
    async kill(signal: NodeJS.Signals = 'SIGKILL', graceMs = 3000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A Node script of this package (compiled JS next to this file) as a tracked child with IPC. */
export function spawnNodeWorker(
  script: URL,
  env: Record<string, string> = {},
  options: Omit<SpawnOptions, 'ipc' | 'env'> = {},
): Child {
  return spawnTracked(process.execPath, [script.pathname], { ...options, env, ipc: true });
}
