import { fileURLToPath } from 'node:url';
import type { TypedFastify } from '@switchboard/service-kit';
import { type ServiceProcess, spawnService } from '@switchboard/test-kit';
import { type RedisClusterServer, startRedisCluster, waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { SandboxWorker } from '../src/workers/index.js';
import { TEST_SECRET, build, buildWorker, caller, tokenFor } from './helper.js';

const gatewayEntry = fileURLToPath(
  new URL('../../realtime-gateway/dist/server.js', import.meta.url),
);

// Every task script, MULTI and batch on a real 3-master Redis Cluster: task keys share the task's
// slot, agent and index keys the dealership's.
describe('agent tasks on a Redis Cluster', () => {
  let cluster: RedisClusterServer;
  let app: TypedFastify;
  let worker: SandboxWorker;
  let gateway: ServiceProcess;
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    const settings = { TASK_ASSIGN_SWEEP_MS: 200, TASK_REPAIR_AFTER_MS: 200 };
    app = await build(cluster.url, { settings });
    worker = await buildWorker(cluster.url, settings, app);
    gateway = await spawnService(
      gatewayEntry,
      { REDIS_URL: cluster.url, JWT_SECRET: TEST_SECRET, INSTANCE_ID: 'cluster-gw' },
      { readyPath: '/health/websocket' },
    );
  }, 90_000);
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await worker?.close();
    await app?.close();
    await gateway?.stop();
    await cluster?.cleanup();
  });

  const online = async (agentId: string) => {
    const res = await caller(app, agentId, 'd1', 'agent').put(`/api/agents/${agentId}`, {
      capabilities: ['cl'],
      // Room for all four tasks on either agent: concurrent creates may split them unevenly, and
      // the delegation below needs a free slot on the other agent whichever way they split.
      maxConcurrent: 5,
    });
    expect(res.statusCode).toBe(201);
    const socket = new WebSocket(
      `ws://127.0.0.1:${gateway.port}/ws?token=${tokenFor(agentId, 'd1', 'agent')}`,
    );
    sockets.push(socket);
    let ready = false;
    socket.on('message', (raw) => {
      if ((JSON.parse(String(raw)) as { type: string }).type === 'connection.established')
        ready = true;
    });
    await waitFor(() => ready, { message: `${agentId} connected` });
  };

  it('assigns, accepts, rejects, delegates, completes and cancels, with history, lists and derived status', async () => {
    await online('cl-a');
    await online('cl-b');
    const alice = caller(app, 'alice', 'd1');
    const agent = (id: string) => caller(app, id, 'd1', 'agent');
    const created = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        alice.post('/api/tasks', { title: `t${i}`, capability: 'cl', input: i, projectId: 'cp' }),
      ),
    );
    for (const res of created) expect(res.statusCode, res.body).toBe(201);
    const tasks = created.map((res) => res.json().data as { id: string; assignee: string });
    expect(tasks.every((t) => t.assignee)).toBe(true);
    const [one, two, three, four] = tasks as [
      (typeof tasks)[0],
      (typeof tasks)[0],
      (typeof tasks)[0],
      (typeof tasks)[0],
    ];
    expect((await agent(one.assignee).post(`/api/tasks/${one.id}/accept`, {})).statusCode).toBe(
      200,
    );
    const other = one.assignee === 'cl-a' ? 'cl-b' : 'cl-a';
    const delegated = await agent(one.assignee).post(`/api/tasks/${one.id}/delegate`, {
      toAgentId: other,
    });
    expect(delegated.statusCode, delegated.body).toBe(200);
    await agent(other).post(`/api/tasks/${one.id}/accept`, {});
    const done = await agent(other).post(`/api/tasks/${one.id}/complete`, { result: 'ok' });
    expect(done.json().data.state).toBe('completed');
    expect((await agent(two.assignee).post(`/api/tasks/${two.id}/reject`, {})).statusCode).toBe(
      200,
    );
    expect((await alice.post(`/api/tasks/${three.id}/cancel`, {})).json().data.state).toBe(
      'cancelled',
    );
    const history = (await alice.get(`/api/tasks/${one.id}/history`)).json().data;
    expect(history.delegationChain).toEqual([one.assignee, other]);
    const listed = (await alice.get('/api/tasks?projectId=cp&limit=10')).json().data;
    expect(listed.items).toHaveLength(4);
    expect((await alice.get(`/api/tasks/${four.id}`)).json().data.state).toBe('assigned');
    const agents = (await alice.get('/api/agents?capability=cl')).json().data;
    expect(agents.items.map((a: { status: string }) => a.status)).toEqual(['online', 'online']);
  }, 60_000);
});
