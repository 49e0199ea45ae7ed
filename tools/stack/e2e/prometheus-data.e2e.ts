import { waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { allExpressions, metricNames } from '../test/promql.js';
import { type E2EStack, startE2EStack } from './stack-fixture.js';

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

/** Traffic that makes every labelled series exist: operations, executions, auto-pause, flag evaluations and changes, WS errors and rate limits. */
async function generateTraffic(e2e: E2EStack): Promise<void> {
  const user = e2e.token('u-prom', 'd-prom');
  const admin = e2e.token('a-prom', 'd-prom', 'admin');
  const client = e2e.client(user);
  await client.connect();
  await client.subscribe('dealership:d-prom');
  const autoPaused = new Set<string>();
  client.on('sandbox.paused', (data) => {
    if (data.source.startsWith('auto:')) autoPaused.add(data.sandboxId);
  });

  const created = await e2e.api<{ id: string }>('POST', '/api/sandbox', user, { name: 'prom' });
  const id = created.body.data?.id ?? 'missing';
  await e2e.api('POST', `/api/sandbox/pause/${id}`, user, {});
  await e2e.api('POST', `/api/sandbox/${id}/tools/execute`, user, {
    tool: 'echo',
    input: { message: 'x' },
  });
  await e2e.api('POST', `/api/sandbox/resume/${id}`, user, {});
  const execution = await e2e.api<{ executionId: string }>(
    'POST',
    `/api/sandbox/${id}/tools/execute`,
    user,
    { tool: 'echo', input: { message: 'x' } },
  );
  // Said here, not as a 15 s wait for an execution that was never accepted.
  expect(execution.status, JSON.stringify(execution.body)).toBe(202);
  const executionId = execution.body.data?.executionId ?? 'missing';
  await waitFor(
    async () =>
      JSON.stringify(
        (await e2e.api('GET', `/api/sandbox/${id}/executions/${executionId}`, user)).body,
      ).includes('completed'),
    {
      timeoutMs: 15_000,
      message: 'execution completed',
    },
  );

  // An idle auto-pause (policy enforced by the service's delayed jobs). Watched over the
  // WebSocket: polling the sandbox's API would count as activity and keep it awake.
  const idle = await e2e.api<{ id: string }>('POST', '/api/sandbox', user, { name: 'prom-idle' });
  const idleId = idle.body.data?.id ?? 'missing';
  await e2e.api('PUT', `/api/sandbox/${idleId}/pause-settings`, user, {
    autoPause: { idleTimeoutSec: 1 },
  });
  await waitFor(() => autoPaused.has(idleId), {
    timeoutMs: 20_000,
    intervalMs: 250,
    message: 'idle auto-pause event',
  });

  // A flag: create, evaluate, toggle (SDKs apply the change: update lag observed).
  await e2e.api('POST', '/api/flags', admin, {
    key: 'E2E_PROM',
    type: 'boolean',
    enabled: true,
    variants: { on: true, off: false },
    defaultVariant: 'on',
  });
  await e2e.api('POST', '/api/flags/E2E_PROM/evaluate', user, {
    context: { targetingKey: 'u-prom', dealershipId: 'd-prom' },
  });
  await e2e.api('POST', '/api/flags/evaluate', user, {
    context: { targetingKey: 'u-prom', dealershipId: 'd-prom' },
  });
  await e2e.api('POST', '/api/flags/E2E_PROM/toggle', admin, {
    enabled: false,
    reason: 'prometheus e2e',
  });

  // A malformed frame and a burst of frames over the rate limit on one raw socket: 80 pings pass
  // the burst (60) and the strikes (10), and stay under the frames a connection may have waiting
  // while its set-up runs (140): more would close it before any frame is handled.
  const socket = new WebSocket(`${e2e.ws}?token=${user}`);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send('not json');
  for (let i = 0; i < 80; i += 1) socket.send(JSON.stringify({ type: 'ping' }));
  await new Promise((resolve) => setTimeout(resolve, 500));
  socket.terminate();
}

// Issue 7: Prometheus runs against the stack, and every PromQL expression in every dashboard and
// alert rule parses and returns data. Alert expressions are quiet when healthy (`up == 0`), so
// for them every metric they read must have series.
describe('Prometheus against the running stack', () => {
  let e2e: E2EStack;

  beforeAll(async () => {
    e2e = await startE2EStack({ STACK_PROMETHEUS: 'true' });
    await generateTraffic(e2e);
  });

  afterAll(async () => {
    await e2e?.close();
  });

  it('scrapes every instance and HAProxy', async () => {
    const prometheus = e2e.stack.urls.prometheus;
    if (!prometheus) throw new Error('prometheus did not start (apt-get install prometheus)');
    const expected = e2e.stack.instances.length + 2;
    await waitFor(async () => (await promQuery(prometheus, 'up == 1')).length === expected, {
      timeoutMs: 30_000,
      intervalMs: 500,
      message: `${expected} targets up`,
    });
  });

  it('has data for every dashboard expression and every metric the alerts read', async () => {
    const prometheus = e2e.stack.urls.prometheus ?? '';
    const withoutData = async (): Promise<string[]> => {
      const missing: string[] = [];
      for (const { where, expr } of allExpressions()) {
        if (where.startsWith('alert ')) {
          for (const name of metricNames(expr)) {
            if ((await promQuery(prometheus, `count(${name})`)).length === 0)
              missing.push(`${where}: metric ${name}`);
          }
        } else if ((await promQuery(prometheus, expr)).length === 0) {
          missing.push(`${where}: ${expr}`);
        }
      }
      return missing;
    };
    // rate() over 1m needs two samples of a series, and a counter first incremented by the
    // traffic above only has its first sample after the next scrape: poll until every
    // expression has data, or report the ones that still have none.
    let missing = await withoutData();
    const deadline = Date.now() + 30_000;
    while (missing.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      missing = await withoutData();
    }
    expect(missing, `no data for:\n${missing.join('\n')}`).toEqual([]);
  });
});
