import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { probeRedis } from './probe-redis.js';
import { waitFor } from './wait-for.js';

export interface StartRedisOptions {
  /**
   * Keep data across restarts, kill -9 included, with an append-only file fsynced on every
   * write (default: nothing kept on disk). With Redis's default `everysec` a kill can lose the
   * last second or two of writes, which made "Redis restarted with its data" tests flaky.
   */
  persistence?: boolean;
  /** Extra `redis-server` arguments, e.g. ['--maxmemory', '10mb']. */
  args?: string[];
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Graceful shutdown (SHUTDOWN NOSAVE). */
  stop(): Promise<void>;
  /** SIGKILL, to test crashes. */
  kill(): Promise<void>;
  /** Start again on the same port (after stop or kill). */
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Stops the server and removes its directory. Safe to call twice. */
  cleanup(): Promise<void>;
}

const liveProcesses = new Set<ChildProcess>();
// A test runner that dies must not leave servers behind.
process.once('exit', () => {
  for (const child of liveProcesses) child.kill('SIGKILL');
});

/** Starts a private redis-server on a free port; never touches a Redis already on 6379. */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  let port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-redis-'));
  let child: ChildProcess | undefined;

  const args = () => [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    options.persistence ? 'yes' : 'no',
    ...(options.persistence ? ['--appendfsync', 'always'] : []),
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
    ...(options.args ?? []),
  ];

  async function start(): Promise<void> {
    const proc = spawn('redis-server', args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    liveProcesses.add(proc);
    // redis-server logs (a port already taken, too) to stdout.
    let output = '';
    const keep = (chunk: Buffer) => (output += chunk.toString());
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    proc.once('exit', () => liveProcesses.delete(proc));
    const failed = new Promise<never>((_, reject) => {
      proc.once('error', reject);
      proc.once('close', (code, signal) =>
        reject(new RedisExitError(port, `${code ?? signal}`, output)),
      );
    });
    // Only the start-up race below waits on it; a later exit has nobody to tell.
    failed.catch(() => undefined);
    await Promise.race([
      failed,
      waitFor(() => ping(port), {
        timeoutMs: 10_000,
        message: `redis-server on ${port} (${output.trim()})`,
      }),
    ]);
  }

  async function waitExit(proc: ChildProcess | undefined): Promise<void> {
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise((resolve) => proc.once('exit', resolve));
  }

  async function stop(): Promise<void> {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    await waitExit(proc);
  }

  async function kill(): Promise<void> {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGKILL');
    await waitExit(proc);
  }

  // The port was free a moment ago; another process may have taken it since: take another.
  for (let attempt = 1; ; attempt += 1) {
    try {
      await start();
      break;
    } catch (error) {
      if (!(error instanceof RedisExitError && error.portTaken) || attempt === 3) throw error;
      port = await freePort();
    }
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    kill,
    start,
    async restart() {
      await stop();
      await start();
    },
    async cleanup() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

class RedisExitError extends Error {
  readonly portTaken: boolean;
  constructor(port: number, how: string, output: string) {
    super(`redis-server on ${port} exited (${how}): ${output.trim()}`);
    this.portTaken = output.includes('Address already in use');
  }
}

async function ping(port: number): Promise<boolean> {
  return (await probeRedis({ port, host: '127.0.0.1' }, (client) => client.ping())) === 'PONG';
}
