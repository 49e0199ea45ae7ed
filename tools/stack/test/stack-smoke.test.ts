import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '@switchboard/auth';
import { type RedisServer, freePort, startRedis, waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  type RunningStack,
  fetchServerStates,
  liveChildPids,
  repoRoot,
  startStack,
} from '../src/index.js';
import { createLogTail } from '../src/log-tail.js';
import { stackLogs } from '../test-support/stack-logs.js';

async function promQuery(base: string, query: string): Promise<unknown[]> {
  const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await response.json()) as {
    status: string;
    error?: string;
    data?: { result: unknown[] };
  };
  if (body.status !== 'success') throw new Error(`${query}: ${body.error}`);
  return body.data?.result ?? [];
}

// The real topology (every app's dist/server.js, HAProxy, Redis) on free ports and a private
// Redis: what `npm start` runs, minus the fixed ports.
describe('the dev stack', () => {
  let redis: RedisServer;
  let stack: RunningStack;
  const secret = randomBytes(24).toString('base64url');
  const stateDir = mkdtempSync(join(tmpdir(), 'switchboard-stack-'));
  const logs: string[] = [];
  const logTail = createLogTail();
  stackLogs.set('dev stack', logTail);
  let stopped = false;

  beforeAll(async () => {
    redis = await startRedis();
    stack = await startStack({
      stateDir,
      log: (line) => {
        logs.push(line);
        logTail.push(line);
      },
      env: {
        ...process.env,
        REDIS_URL: redis.url,
        KEY_PREFIX: `stack-${randomBytes(4).toString('hex')}:`,
        JWT_SECRET: secret,
        LOG_LEVEL: 'warn',
        HAPROXY_PORT: String(await freePort()),
        HAPROXY_STATS_PORT: String(await freePort()),
        GATEWAY_BASE_PORT: '0',
        SANDBOX_BASE_PORT: '0',
        SANDBOX_WORKER_BASE_PORT: '0',
        FLAG_BASE_PORT: '0',
        STACK_READY_TIMEOUT_SEC: '60',
        STACK_PROMETHEUS: 'true',
        PROMETHEUS_PORT: String(await freePort()),
      },
    });
  }, 90_000);

  afterAll(async () => {
    if (!stopped) await stack?.stop();
    await redis?.cleanup();
    rmSync(stateDir, { recursive: true, force: true });
  }, 60_000);

  it('runs 3 gateways, 2 sandbox APIs, 2 flag services (and the worker once it exists)', () => {
    const count = (kind: string) =>
      stack.instances.filter((instance) => instance.kind === kind).length;
    expect([count('gateway'), count('sandbox-api'), count('flags')]).toEqual([3, 2, 2]);
    const workerBuilt = existsSync(join(repoRoot, 'apps', 'sandbox-service', 'dist', 'worker.js'));
    expect(count('sandbox-worker')).toBe(workerBuilt ? 1 : 0);
    expect(stack.skipped.map((skip) => skip.name)).toEqual(workerBuilt ? [] : ['sandbox-worker-1']);
  });

  it('uses the given JWT_SECRET and the given Redis instead of generating or starting one', () => {
    expect(stack.auth.source).toBe('JWT_SECRET');
    expect(existsSync(join(stateDir, 'jwt-secret'))).toBe(false);
    expect(stack.redis.process).toBeUndefined();
  });

  it('renders the real haproxy.cfg with one server per instance', () => {
    const rendered = readFileSync(stack.haproxyConfigPath, 'utf8');
    for (const instance of stack.instances.filter((i) => i.routed)) {
      expect(rendered).toContain(`server ${instance.name} ${instance.host}:${instance.port} check`);
    }
    expect(rendered).not.toMatch(/^\s+server-template/m);
  });

  it('has every instance ready: 200 on /health/ready and UP in HAProxy (L7 check on /health/ready)', async () => {
    for (const instance of stack.instances.filter((i) => i.routed)) {
      const response = await fetch(`${instance.url}/health/ready`);
      expect(response.status, instance.name).toBe(200);
    }
    const states = await fetchServerStates(stack.urls.stats);
    const expected = [
      ...stack.instances
        .filter((i) => i.kind === 'gateway')
        .map((i) => `realtime-gateway/${i.name}`),
      ...stack.instances
        .filter((i) => i.kind === 'sandbox-api')
        .flatMap((i) => [`sandbox-service/${i.name}`, `bull-board/${i.name}`]),
      ...stack.instances.filter((i) => i.kind === 'flags').map((i) => `flag-service/${i.name}`),
      'console/console-1',
    ];
    expect(states.map((s) => `${s.backend}/${s.server}`).sort()).toEqual(expected.sort());
    expect(states.every((s) => s.status === 'UP')).toBe(true);
  });

  it('prefixes every child log line with its name', () => {
    expect(logs.some((line) => line.startsWith('[haproxy] '))).toBe(true);
    expect(logs.every((line) => /^\[[a-z0-9-]+\] /.test(line))).toBe(true);
  });

  // SPEC: connection.established carries instanceId; round robin spreads upgrades over all 3.
  it('spreads WebSocket upgrades through HAProxy over all gateway instances', async () => {
    const token = mintToken({ sub: 'u-smoke', dealershipId: 'd-smoke', role: 'user' }, { secret });
    const instanceIds = new Set<string>();
    for (let i = 0; i < 6; i += 1) {
      const socket = new WebSocket(`${stack.urls.ws}?token=${token}`);
      try {
        const frame = await new Promise<{ type: string; instanceId: string }>((resolve, reject) => {
          socket.on('message', (data) => {
            const parsed = JSON.parse(String(data)) as { type: string; instanceId: string };
            if (parsed.type === 'connection.established') resolve(parsed);
          });
          socket.once('error', reject);
          socket.once('close', (code) =>
            reject(new Error(`closed with ${code} before connection.established`)),
          );
        });
        instanceIds.add(frame.instanceId);
      } finally {
        socket.terminate();
      }
    }
    expect(instanceIds).toEqual(
      new Set(stack.instances.filter((i) => i.kind === 'gateway').map((i) => i.name)),
    );
  });

  it('runs Prometheus (infra/prometheus rendered) scraping every instance and HAProxy', async () => {
    const prometheus = stack.urls.prometheus;
    if (!prometheus) throw new Error('prometheus did not start (is the Debian package installed?)');
    // Every instance (the worker on WORKER_METRICS_PORT), HAProxy and Prometheus itself.
    const expectedTargets = stack.instances.length + 2;
    let up: { metric: { job: string; instance: string } }[] = [];
    await waitFor(
      async () => {
        up = (await promQuery(prometheus, 'up == 1')) as typeof up;
        return up.length === expectedTargets;
      },
      {
        timeoutMs: 30_000,
        intervalMs: 500,
        message: `${expectedTargets} targets up in Prometheus`,
      },
    ).catch((error: Error) => {
      const seen = up.map((target) => `${target.metric.job}/${target.metric.instance}`);
      throw new Error(`${error.message}; up: ${seen.join(', ') || 'none'}`, { cause: error });
    });
  }, 40_000);

  it('stops everything it started and leaves no process behind', async () => {
    const pids = stack.instances.flatMap((i) =>
      i.process.pid === undefined ? [] : [i.process.pid],
    );
    expect(pids.length).toBeGreaterThanOrEqual(7);
    expect(liveChildPids().length).toBeGreaterThanOrEqual(pids.length + 2);
    await stack.stop();
    stopped = true;
    expect(liveChildPids()).toEqual([]);
    for (const pid of pids) expect(() => process.kill(pid, 0), `pid ${pid}`).toThrow();
    await expect(fetch(stack.urls.lb).then((r) => r.status)).rejects.toThrow();
  }, 60_000);
});
