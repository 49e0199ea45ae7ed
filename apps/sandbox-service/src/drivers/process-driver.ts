import { spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EXECUTION_ENV, SANDBOX_ENV, readProc, sandboxProcesses, signal } from './proc-table.js';
import { detectFreezeCapabilities } from './freeze-capabilities.js';
import type {
  ExecRequest,
  ExecResult,
  FreezeCapabilities,
  SandboxDriver,
} from './sandbox-driver.js';
import { type ProcessScanner, createUsageSampler } from './usage-sampler.js';
import { boundedCollector } from './bounded-output.js';
import { childOutcome } from './child-outcome.js';

const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
const STOPPED = new Set(['T', 't']);
const DEFAULT_USAGE_SAMPLE_TTL_MS = 1000;

export interface ProcessDriverOptions {
  root: string;
  /** PATH of the commands a sandbox runs (SANDBOX_PATH). Default /usr/bin:/bin. */
  path?: string;
  /** How often the time limit looks at the process (frozen time is left out). Default 50 ms. */
  tickMs?: number;
  /** How long one /proc sample answers usage() for every sandbox (SANDBOX_USAGE_SAMPLE_TTL_MS). Default 1000 ms. */
  usageSampleTtlMs?: number;
  /** Replaces the /proc scan behind usage() (tests count scans with it). */
  usageScanner?: ProcessScanner;
  /** Clock of the usage sample (tests). */
  clock?: () => number;
}

/**
 * The fallback driver (no namespaces, no cgroups; see isolated-driver.ts): a sandbox is a directory under `root`, an execution is a child process in
 * its own session and process group, marked in its environment so that pause can find the whole
 * tree in /proc from any worker process on the host.
 */
export function createProcessDriver(options: ProcessDriverOptions): SandboxDriver {
  const root = resolve(options.root);
  const tickMs = options.tickMs ?? 50;
  const caps = detectFreezeCapabilities();
  const sampler = createUsageSampler({
    ttlMs: options.usageSampleTtlMs ?? DEFAULT_USAGE_SAMPLE_TTL_MS,
    ...(options.usageScanner ? { scan: options.usageScanner } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });

  const directory = (sandboxId: string) => join(root, sandboxId);

  async function killAll(sandboxId: string, executionId?: string): Promise<void> {
    for (let round = 0; round < 10; round += 1) {
      const processes = await sandboxProcesses(sandboxId, executionId);
      if (processes.length === 0) return;
      for (const entry of processes) signal(entry.pid, 'SIGKILL');
      await sleep(20);
    }
  }

  async function pause(sandboxId: string): Promise<{ frozen: number }> {
    // Stop, re-scan, repeat: a process forked while we were stopping its parent is caught next round.
    for (let round = 0; round < 50; round += 1) {
      const processes = await sandboxProcesses(sandboxId);
      const running = processes.filter((entry) => !STOPPED.has(entry.state));
      if (running.length === 0) return { frozen: processes.length };
      for (const entry of running) signal(entry.pid, 'SIGSTOP');
      await sleep(Math.min(5 * (round + 1), 50));
    }
    throw new Error(`could not confirm that every process of sandbox ${sandboxId} is stopped`);
  }

  async function resume(sandboxId: string): Promise<{ thawed: number }> {
    let thawed = 0;
    for (let round = 0; round < 50; round += 1) {
      const stopped = (await sandboxProcesses(sandboxId)).filter((entry) =>
        STOPPED.has(entry.state),
      );
      if (stopped.length === 0) return { thawed };
      for (const entry of stopped) signal(entry.pid, 'SIGCONT');
      thawed += round === 0 ? stopped.length : 0;
      await sleep(Math.min(5 * (round + 1), 50));
    }
    throw new Error(`could not confirm that every process of sandbox ${sandboxId} runs again`);
  }

  async function exec(sandboxId: string, request: ExecRequest): Promise<ExecResult> {
    const cwd = directory(sandboxId);
    await mkdir(cwd, { recursive: true });
    const child = spawn(request.command, request.args, {
      cwd,
      detached: true, // setsid: own session and process group, away from the worker's signals
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: options.path ?? '/usr/bin:/bin',
        HOME: cwd,
        LANG: 'C.UTF-8',
        [SANDBOX_ENV]: sandboxId,
        [EXECUTION_ENV]: request.executionId,
      },
    });
    const stdout = boundedCollector(request.maxOutputBytes);
    const stderr = boundedCollector(request.maxOutputBytes);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));

    let timedOut = false;
    let activeMs = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      // Never rejects: readProc answers undefined for a process it cannot read, and a failed kill is retried.
      void (async () => {
        const now = performance.now();
        const entry = child.pid === undefined ? undefined : await readProc(child.pid);
        // Time while frozen (state T) is not running time.
        if (entry && !STOPPED.has(entry.state)) activeMs += now - last;
        last = now;
        if (!timedOut && activeMs > request.timeoutMs) {
          timedOut = true;
          // Only listing /proc can fail (EMFILE under load): the next tick tries the kill again.
          await killAll(sandboxId, request.executionId).catch(() => (timedOut = false));
        }
      })();
    }, tickMs);

    const { exited, closed } = childOutcome(child);
    try {
      // A failed re-check must not leave the child unsupervised; the freeze broadcast covers it anyway.
      if (child.pid !== undefined)
        await Promise.resolve(request.onSpawn?.()).catch(() => undefined);
      const exit = await exited;
      // Whatever the execution left behind (background or setsid children) ends with it.
      await killAll(sandboxId, request.executionId);
      await Promise.race([closed, sleep(500)]);
      return {
        exitCode: exit.code,
        signal: exit.signal,
        stdout: stdout.text(),
        stderr: stderr.text(),
        truncated: stdout.truncated || stderr.truncated,
        timedOut,
      };
    } finally {
      clearInterval(timer);
      child.stdout.destroy();
      child.stderr.destroy();
    }
  }

  return {
    name: 'process',
    isolation: 'process',
    capabilities: (): FreezeCapabilities => caps,
    directory,
    create: async (sandboxId) => void (await mkdir(directory(sandboxId), { recursive: true })),
    destroy: async (sandboxId) => {
      await killAll(sandboxId);
      // A directory that never existed (the sandbox failed to set up) is fine to "remove".
      await rm(directory(sandboxId), { recursive: true, force: true }).catch(
        (error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOTDIR') throw error;
        },
      );
    },
    exec,
    killExecution: (sandboxId, executionId) => killAll(sandboxId, executionId),
    pause,
    resume,
    usage: (sandboxId) => sampler.usage(sandboxId),
  };
}
