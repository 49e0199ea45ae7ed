import { type ChildProcess, spawn } from 'node:child_process';
import { freePort, waitFor } from '@switchboard/test-redis';

export interface ServiceProcess {
  http: string;
  port: number;
  process: ChildProcess;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface SpawnServiceOptions {
  /** Answers 200 once the service is ready. Default `/health/ready`. */
  readyPath?: string;
  timeoutMs?: number;
}

/**
 * `node <entry>` of a built service (build it first) on a free port of 127.0.0.1; resolves once
 * its readiness path answers 200 (bounded), rejects with its output if it exits or never does.
 */
export async function spawnService(
  entry: string,
  env: Record<string, string>,
  options: SpawnServiceOptions = {},
): Promise<ServiceProcess> {
  // The port was free a moment ago; another process may have taken it since: take another.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await spawnOnce(entry, env, options, await freePort());
    } catch (error) {
      if (!String(error).includes('EADDRINUSE') || attempt === 3) throw error;
    }
  }
}

async function spawnOnce(
  entry: string,
  env: Record<string, string>,
  options: SpawnServiceOptions,
  port: number,
): Promise<ServiceProcess> {
  const { readyPath = '/health/ready', timeoutMs = 20_000 } = options;
  const child: ChildProcess = spawn(process.execPath, [entry], {
    env: {
      PATH: process.env['PATH'] ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const http = `http://127.0.0.1:${port}`;
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  const ready = waitFor(
    async () => {
      // Not listening yet: poll again.
      const res = await fetch(`${http}${readyPath}`).catch(() => undefined);
      return res?.status === 200;
    },
    { message: `${entry} ready`, timeoutMs, intervalMs: 100 },
  );
  const died = exited.then((code) => {
    throw new Error(`${entry} exited ${code}: ${output}`);
  });
  try {
    await Promise.race([ready, died]);
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  } finally {
    // Only the start-up race waits on it; a later exit is the test's business, through `exited`.
    died.catch(() => undefined);
  }
  return { http, port, process: child, exited, output: () => output, stop };
}
