import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ManagedProcessOptions {
  /** Log prefix and identity, e.g. `gateway-1`. */
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Where prefixed output lines go (default: stdout). */
  log?: (line: string) => void;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number | undefined;
  readonly exited: boolean;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exit: Promise<number | string>;
  /** Sends `signal`, waits up to `timeoutMs`, then SIGKILLs; resolves once it has exited. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | string>;
}

const live = new Set<ChildProcess>();
// If the runner itself dies (uncaught error, second Ctrl-C), no child may outlive it.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Every child the stack started that is still running (tests assert this ends empty). */
export function liveChildPids(): number[] {
  return [...live].flatMap((child) => (child.pid === undefined ? [] : [child.pid]));
}

/** Spawns a child whose stdout/stderr lines are prefixed with its name. */
export function startProcess(options: ManagedProcessOptions): ManagedProcess {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  // Its own process group: a terminal's Ctrl-C signals the whole foreground group, and the
  // stack must stop its children in order (gateways drain first, Redis last), not all at once.
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  live.add(child);
  const prefix = `[${options.name}]`;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => log(`${prefix} ${line}`));
  }
  let exited = false;
  let stopping = false;
  const exit = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      live.delete(child);
      // A process that dies on its own is what a failing stack test most needs to show.
      if (!stopping) log(`${prefix} exited on its own (${code ?? signal ?? 'unknown'})`);
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', (error) => {
      exited = true;
      live.delete(child);
      log(`${prefix} failed to start: ${error.message}`);
      resolve('spawn-error');
    });
  });

  return {
    name: options.name,
    pid: child.pid,
    get exited() {
      return exited;
    },
    exit,
    async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000) {
      if (exited) return exit;
      stopping = true;
      child.kill(signal);
      const timer = setTimeout(() => {
        log(`${prefix} did not exit within ${timeoutMs} ms after ${signal}; killing`);
        child.kill('SIGKILL');
      }, timeoutMs);
      try {
        return await exit;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
