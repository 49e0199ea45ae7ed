import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '@switchboard/test-redis';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../src/index.js';

// `npm start` minus setup: the built CLI with no Redis and no JWT_SECRET, stopped with Ctrl-C.

function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return ppid === pid ? [Number(entry)] : [];
      } catch {
        return [];
      }
    });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('the start CLI', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'switchboard-cli-'));
  let cli: ChildProcess | undefined;
  afterAll(() => {
    if (cli?.exitCode === null) cli.kill('SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('starts Redis and a dev secret when none is given, prints a working token, and Ctrl-C stops everything', async () => {
    const [redisPort, lbPort, statsPort] = [await freePort(), await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      HAPROXY_PORT: String(lbPort),
      HAPROXY_STATS_PORT: String(statsPort),
      GATEWAY_BASE_PORT: '0',
      SANDBOX_BASE_PORT: '0',
      SANDBOX_WORKER_BASE_PORT: '0',
      FLAG_BASE_PORT: '0',
      STACK_PROMETHEUS: 'false',
      // The CLI's behaviour, not the topology (stack-smoke covers that): one of each is enough.
      GATEWAY_INSTANCES: '1',
      SANDBOX_INSTANCES: '1',
      SANDBOX_WORKERS: '1',
      FLAG_INSTANCES: '1',
      STACK_STATE_DIR: stateDir,
      LOG_LEVEL: 'warn',
    };
    delete env['JWT_SECRET'];
    delete env['JWT_PUBLIC_KEY'];
    const script = join(repoRoot, 'tools', 'stack', 'dist', 'cli', 'start.js');
    expect(existsSync(script), 'build tools/stack first').toBe(true);
    // Its own process group, like `npm start` in a terminal: Ctrl-C signals the whole group.
    const child = spawn(process.execPath, [script], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    cli = child;
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );

    await waitFor(() => output.includes('Ctrl-C drains'), {
      timeoutMs: 60_000,
      intervalMs: 100,
      message: `banner in:\n${output}`,
    });
    expect(output).toContain('started redis-server');
    expect(output).toContain(`http://127.0.0.1:${lbPort}`);

    const secret = readFileSync(join(stateDir, 'jwt-secret'), 'utf8').trim();
    expect(secret.length).toBeGreaterThanOrEqual(32);
    const token = /export TOKEN=(\S+)/.exec(output)?.[1] ?? '';
    const [header, payload, signature] = token.split('.');
    expect(createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url')).toBe(
      signature,
    );
    expect(JSON.parse(Buffer.from(payload ?? '', 'base64url').toString())).toMatchObject({
      role: 'admin',
      dealershipId: 'dev',
    });
    // The console login link carries the same token, and HAProxy serves the console.
    expect(output).toContain(`http://127.0.0.1:${lbPort}/console/#token=${token}`);
    // Built before this test by turbo (@switchboard/console is a devDependency of the stack).
    const consolePage = await fetch(`http://127.0.0.1:${lbPort}/console/`);
    expect(consolePage.status).toBe(200);
    expect(await consolePage.text()).toContain('Switchboard Console');

    const children = childrenOf(child.pid as number);
    // redis, haproxy, gateway, sandbox API, worker (when built), flag service
    const workerBuilt = existsSync(join(repoRoot, 'apps', 'sandbox-service', 'dist', 'worker.js'));
    expect(children).toHaveLength(workerBuilt ? 6 : 5);
    expect(await portOpen(redisPort)).toBe(true);

    // Ctrl-C as a terminal delivers it (to the foreground process group), plus the copy npm
    // forwards: one drain, in order, not an immediate kill of everything.
    process.kill(-(child.pid as number), 'SIGINT');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('[stack] stopped');
    expect(output).not.toContain('again: killing everything');
    expect(children.filter(alive)).toEqual([]);
    for (const port of [redisPort, lbPort, statsPort])
      expect(await portOpen(port), `port ${port}`).toBe(false);
    // Redis ran with AOF under the state dir, so dev data survives a restart.
    expect(readdirSync(join(stateDir, 'redis')).join(',')).toContain('appendonly');
  }, 90_000);
});
