import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createKeyspace } from '@switchboard/keyspace';
import { type RedisClient, createRedis } from '@switchboard/redis';
import { spawnService } from '@switchboard/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET, tokenFor } from './helper.js';
import { useTaskStack, waitFor } from './task-helper.js';

// The built processes, as deployed: `node dist/worker.js` and `node dist/server.js`.
const workerEntry = fileURLToPath(new URL('../dist/worker.js', import.meta.url));
const serverEntry = fileURLToPath(new URL('../dist/server.js', import.meta.url));
const ks = createKeyspace('').tasks;
const stack = useTaskStack({ worker: false, settings: { TASK_REPAIR_AFTER_MS: 500 } });
const children: ChildProcess[] = [];
let redis: RedisClient;

const env = () => ({
  PATH: process.env['PATH'] ?? '',
  REDIS_URL: stack.redis.url,
  JWT_SECRET: TEST_SECRET,
  WORKER_LOCK_DURATION_MS: '1000',
  TASK_ASSIGN_SWEEP_MS: '200',
  TASK_REPAIR_AFTER_MS: '500',
  LOG_LEVEL: 'info',
});

async function startWorkerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [workerEntry], {
    env: env(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(() => output.includes('sandbox worker ready'), {
    timeoutMs: 20_000,
    message: 'worker ready',
  });
  return child;
}

beforeAll(() => {
  redis = createRedis(stack.redis.url, { name: 'task-crash-probe' });
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await redis.quit();
});

const read = async (id: string) =>
  (await stack.as('alice', 'd1').get(`/api/tasks/${id}`)).json().data;

describe('processes killed mid-way lose no task', () => {
  it('kill -9 of the worker: accept timeouts and deadlines set before it died still fire in the next worker', async () => {
    const first = await startWorkerProcess();
    for (const id of ['k-a', 'k-b']) {
      await stack.register(id, 'd1', ['crash-w']);
      await stack.connect(id, 'd1');
    }
    const offered = (
      await stack
        .as('alice', 'd1')
        .post('/api/tasks', { title: 't', capability: 'crash-w', input: 1, acceptTimeoutMs: 1500 })
    ).json().data;
    const doomed = (
      await stack.as('alice', 'd1').post('/api/tasks', {
        title: 't',
        capability: 'crash-nobody',
        input: 1,
        deadline: new Date(Date.now() + 1500).toISOString(),
      })
    ).json().data;
    first.kill('SIGKILL');
    await startWorkerProcess();
    const moved = await waitFor(
      async () => {
        const now = await read(offered.id);
        return now.assignee && now.assignee !== offered.assignee ? now : undefined;
      },
      { timeoutMs: 20_000, message: 'reassigned by the next worker' },
    );
    expect(moved.state).toBe('assigned');
    await waitFor(async () => (await read(doomed.id)).state === 'failed', {
      timeoutMs: 20_000,
      message: 'deadline fired by the next worker',
    });
  });

  it('kill -9 of an API instance during a burst of creates: every task it stored ends up indexed and assigned', async () => {
    for (const id of ['k-c', 'k-d']) {
      await stack.register(id, 'd1', ['crash-api'], 50);
      await stack.connect(id, 'd1');
    }
    const api = await spawnService(serverEntry, {
      ...env(),
      HTTP_RATE_LIMIT_WRITE_MAX: '100000',
      HTTP_RATE_LIMIT_IP_MAX: '100000',
      PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '60000',
    });
    const token = tokenFor('alice', 'd1');
    const before = (await redis.keys(ks.record('*'))).length;
    const burst = Array.from({ length: 60 }, (_, i) =>
      fetch(`${api.http}/api/tasks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: `t${i}`, capability: 'crash-api', input: i }),
      }).then(
        async (res) =>
          res.status === 201 ? ((await res.json()) as { data: { id: string } }).data.id : undefined,
        () => undefined,
      ),
    );
    // Killed once some of the burst is stored, while the rest is in flight.
    await waitFor(async () => (await redis.keys(ks.record('*'))).length >= before + 10, {
      timeoutMs: 20_000,
      intervalMs: 5,
      message: 'part of the burst stored',
    });
    api.process.kill('SIGKILL');
    const answered = (await Promise.all(burst)).filter((id): id is string => !!id);
    // Every task the instance stored, answered or not (it may have died after the write).
    const stored: string[] = [];
    for (const key of await redis.keys(ks.record('*'))) {
      const hash = await redis.hgetall(key);
      if (hash['capability'] === 'crash-api') stored.push(hash['id']!);
    }
    expect(stored.length).toBeGreaterThanOrEqual(10);
    expect(stored).toEqual(expect.arrayContaining(answered));
    await startWorkerProcess();
    await waitFor(
      async () => {
        const tasks = await Promise.all(stored.map(read));
        return tasks.every((t) => t.state === 'assigned');
      },
      { timeoutMs: 30_000, message: `all ${stored.length} stored tasks assigned` },
    );
    const listed = (
      await stack.as('alice', 'd1').get('/api/tasks?capability=crash-api&limit=200')
    ).json().data;
    expect(listed.items.map((t: { id: string }) => t.id).sort()).toEqual([...stored].sort());
    const held = [
      ...(await redis.smembers(ks.agentLoad('d1', 'k-c'))),
      ...(await redis.smembers(ks.agentLoad('d1', 'k-d'))),
    ];
    expect(held.sort()).toEqual([...stored].sort());
    // A measured figure, reported with the test run.
    console.warn(
      `API killed mid-burst: ${answered.length} answered 201, ${stored.length} stored, all assigned once`,
    );
  });
});
