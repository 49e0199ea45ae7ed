import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStackSettings, parseStatsCsv, planTopology, resolveAuth } from '../src/index.js';
import { metricNames } from './promql.js';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-units-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadStackSettings', () => {
  it('defaults to the documented topology and ports', () => {
    const settings = loadStackSettings({});
    expect(settings).toMatchObject({
      GATEWAY_INSTANCES: 3,
      SANDBOX_INSTANCES: 2,
      SANDBOX_WORKERS: 1,
      FLAG_INSTANCES: 2,
      HAPROXY_PORT: 8080,
      HAPROXY_STATS_PORT: 8404,
    });
    expect(settings.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  it.each([
    ['GATEWAY_INSTANCES', 'three'],
    ['GATEWAY_INSTANCES', '-1'],
    ['HAPROXY_PORT', '70000'],
    ['REDIS_URL', 'http://localhost'],
    ['STACK_SMOKE', 'maybe'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    expect(() => loadStackSettings({ [name]: value })).toThrow(new RegExp(name));
  });
});

describe('planTopology', () => {
  it('numbers instances from each base port', async () => {
    const plan = await planTopology(
      loadStackSettings({
        GATEWAY_INSTANCES: '2',
        SANDBOX_INSTANCES: '1',
        SANDBOX_WORKERS: '0',
        FLAG_INSTANCES: '1',
      }),
    );
    expect(plan.map((i) => `${i.name}@${i.port}`)).toEqual([
      'gateway-1@3301',
      'gateway-2@3302',
      'sandbox-1@3101',
      'flags-1@3201',
    ]);
    expect(plan.find((i) => i.name === 'gateway-1')?.script).toBe(
      'apps/realtime-gateway/dist/server.js',
    );
  });

  it('gives every instance a distinct free port when the bases are 0', async () => {
    const plan = await planTopology(
      loadStackSettings({
        GATEWAY_INSTANCES: '5',
        SANDBOX_INSTANCES: '5',
        SANDBOX_WORKERS: '2',
        FLAG_INSTANCES: '5',
        GATEWAY_BASE_PORT: '0',
        SANDBOX_BASE_PORT: '0',
        SANDBOX_WORKER_BASE_PORT: '0',
        FLAG_BASE_PORT: '0',
      }),
    );
    expect(plan).toHaveLength(17);
    expect(new Set(plan.map((i) => i.port)).size).toBe(17);
    expect(plan.filter((i) => !i.routed).map((i) => i.name)).toEqual([
      'sandbox-worker-1',
      'sandbox-worker-2',
    ]);
  });
});

describe('resolveAuth', () => {
  it('prefers JWT_SECRET, then JWT_PUBLIC_KEY, and writes nothing for either', () => {
    const file = join(dir, 'never-written');
    expect(resolveAuth({ JWT_SECRET: 's'.repeat(20), JWT_PUBLIC_KEY: 'pem' }, file)).toMatchObject({
      source: 'JWT_SECRET',
      secret: 's'.repeat(20),
    });
    const publicOnly = resolveAuth({ JWT_PUBLIC_KEY: 'pem' }, file);
    expect(publicOnly).toMatchObject({ source: 'JWT_PUBLIC_KEY', env: { JWT_PUBLIC_KEY: 'pem' } });
    expect(publicOnly.secret).toBeUndefined();
    expect(() => statSync(file)).toThrow();
  });

  it('generates a private secret file once and reuses it', () => {
    const file = join(dir, 'state', 'jwt-secret');
    const first = resolveAuth({}, file);
    expect(first.source).toBe('generated');
    expect(first.secret?.length).toBeGreaterThanOrEqual(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = resolveAuth({}, file);
    expect(second).toMatchObject({ source: 'dev-secret-file', secret: first.secret });
  });

  it('replaces a stored secret too short to be valid', () => {
    const file = join(dir, 'short-secret');
    writeFileSync(file, 'short\n');
    expect(resolveAuth({}, file).source).toBe('generated');
    expect(readFileSync(file, 'utf8').trim().length).toBeGreaterThanOrEqual(32);
  });
});

describe('parseStatsCsv', () => {
  it('reads server rows and skips frontend/backend totals', () => {
    const csv = [
      '# pxname,svname,qcur,status,weight,chkdown',
      'public,FRONTEND,,OPEN,,',
      'realtime-gateway,gateway-1,0,UP,1,0',
      'realtime-gateway,gateway-2,0,DOWN 1/2,1,3',
      'realtime-gateway,BACKEND,0,UP,2,1',
      '',
    ].join('\n');
    expect(parseStatsCsv(csv)).toEqual([
      { backend: 'realtime-gateway', server: 'gateway-1', status: 'UP', downTransitions: 0 },
      { backend: 'realtime-gateway', server: 'gateway-2', status: 'DOWN 1/2', downTransitions: 3 },
    ]);
  });

  it('refuses something that is not the stats CSV', () => {
    expect(() => parseStatsCsv('<html>')).toThrow(/stats CSV/);
  });
});

describe('metricNames', () => {
  it.each([
    ['up{job=~"a|b"} == 0', ['up']],
    [
      'sum by (service) (rate(http_request_duration_seconds_count{status_code=~"5.."}[5m])) / sum by (service) (rate(http_request_duration_seconds_count[5m])) > 0.05',
      ['http_request_duration_seconds_count'],
    ],
    [
      'histogram_quantile(0.99, sum by (le) (rate(websocket_message_delivery_seconds_bucket[5m]))) > 0.5',
      ['websocket_message_delivery_seconds_bucket'],
    ],
    [
      'max by (queue) (sandbox_queue_depth) > 100 and deriv(max by (queue) (sandbox_queue_depth)[10m:1m]) > 0',
      ['sandbox_queue_depth'],
    ],
  ])('%s', (expr, names) => {
    expect(metricNames(expr)).toEqual(names);
  });
});
