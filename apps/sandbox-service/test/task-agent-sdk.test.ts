import { type AgentTask, TaskFailure, createAgent } from '@switchboard/client';
import { type ServiceProcess, spawnService } from '@switchboard/test-kit';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TEST_SECRET, tokenFor } from './helper.js';
import { useTaskStack, waitFor } from './task-helper.js';

const stack = useTaskStack({ settings: { TASK_RETRY_BASE_MS: 50 } });
const gatewayEntry = fileURLToPath(
  new URL('../../realtime-gateway/dist/server.js', import.meta.url),
);
let apiUrl = '';
let spare: ServiceProcess;
const agents: Array<{ close(): void }> = [];
// Registered after the stack's: runs before it (hooks unwind), so no client outlives the gateway.
afterAll(async () => {
  for (const agent of agents) agent.close();
  await spare?.stop();
});

beforeAll(async () => {
  apiUrl = await stack.app.listen({ port: 0, host: '127.0.0.1' });
  // A second gateway on the same Redis: where the agents reconnect when the first one goes.
  spare = await spawnService(
    gatewayEntry,
    { REDIS_URL: stack.redis.url, JWT_SECRET: TEST_SECRET, INSTANCE_ID: 'tasks-gw-spare' },
    { readyPath: '/health/websocket' },
  );
});

const read = async (id: string) =>
  (await stack.as('alice', 'd1').get(`/api/tasks/${id}`)).json().data as AgentTask;
const history = async (id: string) =>
  (await stack.as('alice', 'd1').get(`/api/tasks/${id}/history`)).json().data as {
    entries: Array<{ action: string; actor: string; agentId?: string }>;
    delegationChain: string[];
  };
const create = async (body: Record<string, unknown>) => {
  const res = await stack.as('alice', 'd1').post('/api/tasks', { title: 't', ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().data as AgentTask;
};

describe('createAgent (SDK) against the real gateway and API', () => {
  it('two agents with different capabilities: run, reject and reassign, delegate, retry, reconnect through another gateway', async () => {
    const runs = new Map<string, string[]>();
    const record = (agent: string, task: AgentTask) =>
      runs.set(task.id, [...(runs.get(task.id) ?? []), agent]);
    const url = () => [stack.gateway.port, spare.port].map((port) => `ws://127.0.0.1:${port}/ws`);
    const common = {
      apiUrl,
      WebSocket: WebSocket as never,
      reconnect: { initialDelayMs: 50, maxDelayMs: 300 },
    };
    const alpha = createAgent({
      ...common,
      url: url(),
      token: tokenFor('sdk-alpha', 'd1', 'agent'),
      capabilities: ['sdk-summarize'],
      maxConcurrent: 2,
      shouldAccept: (task) =>
        (task.input as { avoid?: string }).avoid === 'sdk-alpha'
          ? { accept: false, reason: 'not for me' }
          : true,
    });
    const beta = createAgent({
      ...common,
      url: url(),
      token: tokenFor('sdk-beta', 'd1', 'agent'),
      capabilities: ['sdk-summarize', 'sdk-translate'],
      maxConcurrent: 2,
    });
    agents.push(alpha, beta);
    let flaky = 0;
    await alpha.onTask(async (task, ctx) => {
      record('sdk-alpha', task);
      const input = task.input as { delegate?: boolean; n: number };
      if (input.delegate)
        await ctx.delegate({ capability: 'sdk-translate', reason: 'needs translation' });
      return `alpha:${input.n}`;
    });
    await beta.onTask(async (task) => {
      record('sdk-beta', task);
      const input = task.input as { flaky?: boolean; n: number };
      if (input.flaky && flaky++ === 0) throw new TaskFailure('try again', true);
      return `beta:${input.n}`;
    });

    const plain = await create({ capability: 'sdk-summarize', input: { n: 1 } });
    const rejected = await create({
      capability: 'sdk-summarize',
      input: { n: 2, avoid: 'sdk-alpha' },
    });
    const delegated = await create({
      capability: 'sdk-summarize',
      input: { n: 3, delegate: true },
      assignTo: 'sdk-alpha',
    });
    const retried = await create({ capability: 'sdk-translate', input: { n: 4, flaky: true } });
    const ids = [plain.id, rejected.id, delegated.id, retried.id];
    await waitFor(
      async () => (await Promise.all(ids.map(read))).every((t) => t.state === 'completed'),
      {
        timeoutMs: 60_000,
        message: 'all four completed',
      },
    );
    expect((await read(rejected.id)).result).toBe('beta:2');
    expect((await read(delegated.id)).result).toBe('beta:3');
    expect((await history(delegated.id)).delegationChain).toEqual(['sdk-alpha', 'sdk-beta']);
    expect(await read(retried.id)).toMatchObject({ result: 'beta:4', attempts: 1 });
    expect(runs.get(retried.id)).toEqual(['sdk-beta', 'sdk-beta']);
    expect(runs.get(plain.id)).toHaveLength(1);
    const rejectedHistory = await history(rejected.id);
    if (rejectedHistory.entries.some((e) => e.action === 'reject'))
      expect(rejectedHistory.entries.find((e) => e.action === 'reject')?.agentId).toBe('sdk-alpha');

    // The agents' gateway goes away: they reconnect to the other one; tasks created meanwhile
    // (offered while they were away, or waiting) still run, once each.
    await stack.gateway.stop();
    const whileAway = await Promise.all(
      [5, 6, 7, 8].map((n) => create({ capability: 'sdk-summarize', input: { n } })),
    );
    await waitFor(
      async () =>
        (await Promise.all(whileAway.map((t) => read(t.id)))).every((t) => t.state === 'completed'),
      { timeoutMs: 60_000, message: 'tasks created while the gateway was away completed' },
    );
    for (const task of whileAway) expect(runs.get(task.id)).toHaveLength(1);
  }, 150_000);
});
