import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { freePort, waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import {
  BACKENDS,
  type HaproxyServer,
  fetchServerStates,
  liveChildPids,
  renderHaproxyConfig,
  repoRoot,
} from '../src/index.js';
import { startProcess } from '../src/managed-process.js';

const configPath = join(repoRoot, 'infra', 'haproxy', 'haproxy.cfg');
const template = readFileSync(configPath, 'utf8');

function haproxyCheck(file: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync('haproxy', ['-c', '-f', file], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
}

describe('infra/haproxy/haproxy.cfg as written (compose: DNS server-template)', () => {
  it('passes haproxy -c', () => {
    const result = haproxyCheck(configPath);
    expect(result.stderr + result.stdout).toContain('Configuration file is valid');
    expect(result.status).toBe(0);
  });

  it('routes every SPEC path prefix to its backend, round robin, health-checked on /health/ready', () => {
    for (const [acl, backend] of [
      ['route_ws', 'realtime-gateway'],
      ['route_sandbox', 'sandbox-service'],
      ['route_flags', 'flag-service'],
      ['route_queues', 'bull-board'],
      ['route_console', 'console'],
    ]) {
      expect(template).toMatch(new RegExp(`use_backend ${backend}\\s+if ${acl}`));
    }
    const backends = [...template.matchAll(/^backend (\S+)\n((?:[ \t]+.*\n)+)/gm)];
    expect(backends.map((match) => match[1]).sort()).toEqual(
      [...Object.keys(BACKENDS), 'console'].sort(),
    );
    for (const [, , body] of backends) {
      expect(body).toContain('balance roundrobin');
      expect(body).toContain('option httpchk GET /health/ready');
    }
    expect(template).toMatch(/timeout tunnel \d+/);
    expect(template).toContain('option forwardfor');
  });
});

describe('renderHaproxyConfig', () => {
  it('replaces only the server lines of the named backends', () => {
    const rendered = renderHaproxyConfig(template, {
      'realtime-gateway': [
        { name: 'gateway-1', host: '127.0.0.1', port: 4001 },
        { name: 'gateway-2', host: '127.0.0.1', port: 4002 },
      ],
      'flag-service': [],
    });
    expect(rendered).toContain(
      '    server gateway-1 127.0.0.1:4001 check\n    server gateway-2 127.0.0.1:4002 check',
    );
    expect(rendered).not.toContain('server-template gateway');
    expect(rendered).not.toContain('server-template flags');
    expect(rendered).toContain('server-template sandbox 1-10 sandbox-service:3001');
    const withoutServers = (text: string) =>
      text.split('\n').filter((line) => !/^\s+server/.test(line));
    expect(withoutServers(rendered)).toEqual(withoutServers(template));
  });

  it('refuses a backend the config does not have', () => {
    expect(() => renderHaproxyConfig(template, { 'no-such-backend': [] })).toThrow(
      /no-such-backend/,
    );
  });
});

// Real HAProxy with the rendered config in front of small HTTP/WebSocket servers that say who
// they are: proves the routes, round robin, WebSocket upgrades, error envelopes and drain.
describe('the rendered config in a running HAProxy', () => {
  interface Upstream {
    name: string;
    port: number;
    server: Server;
    ready: boolean;
    seenHeaders: Record<string, string | string[] | undefined>[];
    /** Requests to /api/sandbox/explode: answered by dropping the connection. */
    exploded: number;
    /** Like a gateway that started draining before HAProxy noticed: upgrades answered 503. */
    refusingUpgrades: boolean;
    refused: number;
  }
  const upstreams: Upstream[] = [];
  let lb = '';
  let statsUrl = '';
  let stopHaproxy: () => Promise<unknown> = async () => undefined;
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-haproxy-'));

  async function startUpstream(name: string): Promise<Upstream> {
    const upstream: Upstream = {
      name,
      port: await freePort(),
      server: createServer(),
      ready: true,
      seenHeaders: [],
      exploded: 0,
      refusingUpgrades: false,
      refused: 0,
    };
    upstream.server.on('request', (request, response) => {
      if (request.url === '/health/ready') {
        response.writeHead(upstream.ready ? 200 : 503).end();
        return;
      }
      if (request.url === '/api/sandbox/explode') {
        upstream.exploded += 1;
        request.socket.destroy();
        return;
      }
      upstream.seenHeaders.push(request.headers);
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ name, url: request.url }));
    });
    const wss = new WebSocketServer({ noServer: true });
    wss.on('connection', (socket) =>
      socket.send(JSON.stringify({ type: 'connection.established', instanceId: name })),
    );
    upstream.server.on('upgrade', (request, socket: Duplex, head: Buffer) => {
      if (upstream.refusingUpgrades) {
        upstream.refused += 1;
        socket.end(
          'HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}',
        );
        return;
      }
      wss.handleUpgrade(request, socket, head, (client) => wss.emit('connection', client, request));
    });
    await new Promise<void>((resolve) =>
      upstream.server.listen(upstream.port, '127.0.0.1', resolve),
    );
    upstreams.push(upstream);
    return upstream;
  }

  const asServers = (list: Upstream[]): HaproxyServer[] =>
    list.map((u) => ({ name: u.name, host: '127.0.0.1', port: u.port }));

  beforeAll(async () => {
    const gateways = [
      await startUpstream('gw-a'),
      await startUpstream('gw-b'),
      await startUpstream('gw-c'),
    ];
    const sandbox = [await startUpstream('sb-a'), await startUpstream('sb-b')];
    const flags = [await startUpstream('fl-a')];
    const consoleFiles = [await startUpstream('co-a')];
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(
      file,
      renderHaproxyConfig(template, {
        'realtime-gateway': asServers(gateways),
        'sandbox-service': asServers(sandbox),
        'flag-service': asServers(flags),
        'bull-board': asServers(sandbox),
        console: asServers(consoleFiles),
      }),
    );
    const [port, statsPort] = [await freePort(), await freePort()];
    const env = {
      ...process.env,
      HAPROXY_BIND: `127.0.0.1:${port}`,
      HAPROXY_STATS_BIND: `127.0.0.1:${statsPort}`,
    };
    const check = haproxyCheck(file, env);
    expect(check.status, check.stderr).toBe(0);
    const haproxy = startProcess({
      name: 'haproxy',
      command: 'haproxy',
      args: ['-db', '-f', file],
      env,
      cwd: dir,
      log: () => undefined,
    });
    stopHaproxy = () => haproxy.stop('SIGTERM', 5000);
    lb = `http://127.0.0.1:${port}`;
    statsUrl = `http://127.0.0.1:${statsPort}/stats`;
    await waitFor(
      async () => (await fetchServerStates(statsUrl)).every((state) => state.status === 'UP'),
      {
        timeoutMs: 15_000,
        intervalMs: 100,
        message: 'every server UP',
      },
    );
  });

  afterAll(async () => {
    await stopHaproxy();
    await Promise.all(upstreams.map((u) => new Promise((resolve) => u.server.close(resolve))));
    rmSync(dir, { recursive: true, force: true });
    expect(liveChildPids()).toEqual([]);
  });

  const get = async (path: string) => {
    const response = await fetch(`${lb}${path}`);
    return {
      status: response.status,
      body: (await response.json()) as Record<string, unknown>,
      traceId: response.headers.get('x-trace-id'),
    };
  };

  it('routes each path prefix to its service and balances round robin', async () => {
    const names = async (path: string, times: number) => {
      const seen: unknown[] = [];
      for (let i = 0; i < times; i += 1) seen.push((await get(path)).body['name']);
      return new Set(seen);
    };
    expect(await names('/api/sandbox/abc/status', 4)).toEqual(new Set(['sb-a', 'sb-b']));
    expect(await names('/api/sandbox', 2)).toEqual(new Set(['sb-a', 'sb-b']));
    // Agent tasks and the agent registry are the sandbox service's.
    expect(await names('/api/tasks', 2)).toEqual(new Set(['sb-a', 'sb-b']));
    expect(await names('/api/tasks/tsk_1/history', 2)).toEqual(new Set(['sb-a', 'sb-b']));
    expect(await names('/api/agents/a1', 2)).toEqual(new Set(['sb-a', 'sb-b']));
    expect(await names('/api/realtime/publish', 3)).toEqual(new Set(['gw-a', 'gw-b', 'gw-c']));
    expect(await names('/api/v1/websocket/stats', 3)).toEqual(new Set(['gw-a', 'gw-b', 'gw-c']));
    expect(await names('/api/flags/SOME_FLAG', 2)).toEqual(new Set(['fl-a']));
    expect(await names('/ofrep/v1/evaluate/flags', 2)).toEqual(new Set(['fl-a']));
    expect(await names('/admin/queues/api/queues', 4)).toEqual(new Set(['sb-a', 'sb-b']));
    expect(await names('/console/', 2)).toEqual(new Set(['co-a']));
    expect(await names('/console/fleet', 1)).toEqual(new Set(['co-a']));
  });

  it('answers unknown paths with the SPEC 404 envelope and does not leak prefixes', async () => {
    const traceIds = new Set<string>();
    const unknownPaths = [
      '/',
      '/api/sandboxes',
      '/api/flagsx',
      '/api/tasksx',
      '/health/ready',
      '/wsx',
      '/api/realtimex',
      '/consolex',
    ];
    for (const path of unknownPaths) {
      const { status, body, traceId } = await get(path);
      expect(status, path).toBe(404);
      expect(body).toMatchObject({ success: false, error: { code: 'RECORD_NOT_FOUND' } });
      // Like every service answer: a trace id in the header and the same one in the body.
      expect(traceId, path).toMatch(/^[0-9a-f]{32}$/);
      expect((body['error'] as { traceId: string }).traceId).toBe(traceId);
      traceIds.add(traceId ?? '');
    }
    expect(traceIds.size).toBe(unknownPaths.length);
  });

  it('retries a GET that got no response on another instance, but never a POST', async () => {
    // A fresh client connection per request: on a reused keep-alive connection HAProxy closes
    // silently instead of answering 502, so that the client itself retries.
    const once = (method: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const request = httpRequest(
          `${lb}/api/sandbox/explode`,
          { method, agent: false },
          (response) => {
            let body = '';
            response.on('data', (chunk: Buffer) => (body += chunk.toString()));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
          },
        );
        request.on('error', reject);
        request.end(method === 'POST' ? '{}' : undefined);
      });
    const sandbox = upstreams.filter((u) => u.name.startsWith('sb-'));
    const exploded = () => sandbox.reduce((sum, u) => sum + u.exploded, 0);
    const get = await once('GET');
    expect(get.status).toBe(502);
    expect(JSON.parse(get.body)).toMatchObject({
      success: false,
      error: { code: 'SERVICE_UNAVAILABLE' },
    });
    expect(exploded()).toBe(3);
    const post = await once('POST');
    expect(post.status).toBe(502);
    expect(exploded()).toBe(4);
  });

  it('adds forwarded headers', async () => {
    const flags = upstreams.find((u) => u.name === 'fl-a');
    await get('/api/flags');
    const headers = flags?.seenHeaders.at(-1) ?? {};
    expect(headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-forwarded-host']).toBe(new URL(lb).host);
    // A client cannot choose the address the services see.
    await fetch(`${lb}/api/flags`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(flags?.seenHeaders.at(-1)?.['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('upgrades WebSockets on /ws and spreads them over every gateway', async () => {
    const instanceIds = new Set<string>();
    for (let i = 0; i < 6; i += 1) {
      const socket = new WebSocket(`${lb.replace('http', 'ws')}/ws?token=x`);
      const frame = await new Promise<{ instanceId: string }>((resolve, reject) => {
        socket.once('message', (data) =>
          resolve(JSON.parse(String(data)) as { instanceId: string }),
        );
        socket.once('error', reject);
      });
      instanceIds.add(frame.instanceId);
      socket.close();
    }
    expect(instanceIds).toEqual(new Set(['gw-a', 'gw-b', 'gw-c']));
  });

  it('retries an upgrade that a gateway refused with 503 (draining, still in rotation) on another gateway', async () => {
    const draining = upstreams.find((u) => u.name === 'gw-b');
    if (!draining) throw new Error('no gw-b');
    draining.refusingUpgrades = true;
    try {
      const instanceIds: string[] = [];
      for (let i = 0; i < 6; i += 1) {
        const socket = new WebSocket(`${lb.replace('http', 'ws')}/ws?token=x`);
        instanceIds.push(
          await new Promise<string>((resolve, reject) => {
            socket.once('message', (data) =>
              resolve((JSON.parse(String(data)) as { instanceId: string }).instanceId),
            );
            socket.once('unexpected-response', (_request, response) =>
              reject(new Error(`HTTP ${response.statusCode}`)),
            );
            socket.once('error', reject);
          }),
        );
        socket.close();
      }
      // Round robin sends some of them to gw-b, which refuses; every one still connects elsewhere.
      expect(draining.refused).toBeGreaterThan(0);
      expect(instanceIds).not.toContain('gw-b');
      expect(new Set(instanceIds)).toEqual(new Set(['gw-a', 'gw-c']));
    } finally {
      draining.refusingUpgrades = false;
    }
  });

  it('takes a draining instance (503 on /health/ready) out of rotation and back after recovery', async () => {
    const draining = upstreams.find((u) => u.name === 'sb-b');
    if (!draining) throw new Error('no sb-b');
    draining.ready = false;
    await waitFor(
      async () =>
        (await fetchServerStates(statsUrl)).some(
          (s) => s.backend === 'sandbox-service' && s.server === 'sb-b' && s.status === 'DOWN',
        ),
      {
        timeoutMs: 10_000,
        intervalMs: 100,
        message: 'sb-b DOWN in HAProxy',
      },
    );
    for (let i = 0; i < 4; i += 1) expect((await get('/api/sandbox')).body['name']).toBe('sb-a');
    draining.ready = true;
    await waitFor(async () => (await fetchServerStates(statsUrl)).every((s) => s.status === 'UP'), {
      timeoutMs: 10_000,
      intervalMs: 100,
      message: 'sb-b UP again',
    });
  });

  it('answers 503 in the SPEC envelope when a backend has no healthy instance', async () => {
    const flags = upstreams.find((u) => u.name === 'fl-a');
    if (!flags) throw new Error('no fl-a');
    flags.ready = false;
    await waitFor(
      async () =>
        (await fetchServerStates(statsUrl)).some((s) => s.server === 'fl-a' && s.status === 'DOWN'),
      {
        timeoutMs: 10_000,
        intervalMs: 100,
        message: 'fl-a DOWN',
      },
    );
    const { status, body, traceId } = await get('/api/flags');
    expect(status).toBe(503);
    expect(body).toMatchObject({ success: false, error: { code: 'SERVICE_UNAVAILABLE', traceId } });
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    flags.ready = true;
  });
});
