import { createKeyspace } from '@switchboard/keyspace';
import { type RedisClient, createRedis } from '@switchboard/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTaskStack, waitFor } from './task-helper.js';

const stack = useTaskStack();
const ks = createKeyspace('').tasks;
const AGENTS = ['c-1', 'c-2', 'c-3', 'c-4', 'c-5'];
let redis: RedisClient;

beforeAll(() => {
  redis = createRedis(stack.redis.url, { name: 'task-load-probe' });
});
afterAll(async () => {
  await redis.quit();
});

/** Samples every agent's load set until stopped; the largest size seen per agent. */
function watchLoads(d: string) {
  const max = new Map<string, number>();
  let running = true;
  const done = (async () => {
    while (running) {
      for (const id of AGENTS) {
        const size = await redis.scard(ks.agentLoad(d, id));
        max.set(id, Math.max(max.get(id) ?? 0, size));
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return max;
    },
  };
}

async function assignCounts(ids: string[]) {
  const counts: number[] = [];
  for (const id of ids) {
    const history = (await stack.as('alice', 'd1').get(`/api/tasks/${id}/history`)).json().data as {
      entries: Array<{ action: string }>;
    };
    counts.push(history.entries.filter((e) => e.action === 'assign').length);
  }
  return counts;
}

describe('100 concurrent creates against 5 agents', () => {
  it('assigns every task exactly once and never puts an agent over its capacity', async () => {
    const cap = 'bulk-a';
    for (const id of AGENTS) {
      await stack.register(id, 'd1', [cap], 20);
      await stack.connect(id, 'd1');
    }
    const loads = watchLoads('d1');
    const created = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        stack.as('alice', 'd1').post('/api/tasks', { title: `t${i}`, capability: cap, input: i }),
      ),
    );
    const max = await loads.stop();
    expect(created.every((res) => res.statusCode === 201)).toBe(true);
    const ids = created.map((res) => res.json().data.id as string);
    expect(new Set(ids).size).toBe(100);
    const tasks = await Promise.all(
      ids.map(async (id) => (await stack.as('alice', 'd1').get(`/api/tasks/${id}`)).json().data),
    );
    expect(tasks.every((t) => t.state === 'assigned')).toBe(true);
    const perAgent = new Map<string, number>();
    for (const t of tasks) perAgent.set(t.assignee, (perAgent.get(t.assignee) ?? 0) + 1);
    expect([...perAgent.values()].every((n) => n <= 20)).toBe(true);
    expect([...max.values()].every((n) => n <= 20)).toBe(true);
    expect(await assignCounts(ids)).toEqual(ids.map(() => 1));
    for (const id of AGENTS)
      expect(await redis.scard(ks.agentLoad('d1', id))).toBe(perAgent.get(id) ?? 0);
  });

  it('with less capacity than tasks, the rest wait and are each run exactly once as agents free up', async () => {
    const cap = 'bulk-b';
    const d = 'd3';
    const sockets = [];
    for (const id of AGENTS) {
      await stack.register(id, d, [cap], 4);
      sockets.push(await stack.connect(id, d));
    }
    const loads = watchLoads(d);
    const handled = new Map<string, number>();
    const acceptedAt = new Map<string, number>();
    // Each agent accepts what it is offered and completes it: the offers come over its room.
    const seen = new Set<string>();
    let stop = false;
    const runners = sockets.map(async (socket) => {
      let index = 0;
      while (!stop) {
        const next = socket.events[index];
        if (!next) {
          await new Promise((resolve) => setTimeout(resolve, 2));
          continue;
        }
        index += 1;
        if (next.event !== 'task.assigned' || next.data.task.state !== 'assigned') continue;
        const key = `${next.data.task.id}@${(next.data.task as { version?: number }).version}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const agent = stack.as(socket.agentId, d, 'agent');
        const accepted = await agent.post(`/api/tasks/${next.data.task.id}/accept`, {});
        if (accepted.statusCode !== 200) continue;
        acceptedAt.set(next.data.task.id, Date.now());
        handled.set(next.data.task.id, (handled.get(next.data.task.id) ?? 0) + 1);
        await agent.post(`/api/tasks/${next.data.task.id}/complete`, { result: socket.agentId });
      }
    });
    const started = Date.now();
    const created = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        stack.as('alice', d).post('/api/tasks', { title: `t${i}`, capability: cap, input: i }),
      ),
    );
    const ids = created.map((res) => res.json().data.id as string);
    await waitFor(() => handled.size === 100, {
      timeoutMs: 60_000,
      message: `all 100 accepted (${handled.size} so far)`,
    });
    const elapsed = (Math.max(...acceptedAt.values()) - started) / 1000;
    stop = true;
    await Promise.all(runners);
    const max = await loads.stop();
    expect([...handled.values()].every((n) => n === 1)).toBe(true);
    expect([...max.values()].every((n) => n <= 4)).toBe(true);
    const list = await waitFor(
      async () => {
        const page = (await stack.as('alice', d).get(`/api/tasks?state=completed&limit=200`)).json()
          .data;
        return page.items.length === 100 ? page : undefined;
      },
      { message: 'all completed' },
    );
    expect(list.items).toHaveLength(100);
    const history = await Promise.all(
      ids.map(
        async (id) => (await stack.as('alice', d).get(`/api/tasks/${id}/history`)).json().data,
      ),
    );
    expect(
      history.every(
        (h) => h.entries.filter((e: { action: string }) => e.action === 'assign').length === 1,
      ),
    ).toBe(true);
    // A measured figure, reported with the test run.
    console.warn(
      `assignment throughput: 100 tasks create -> accepted in ${elapsed.toFixed(2)} s = ${(100 / elapsed).toFixed(1)} tasks/s (5 agents x 4 slots)`,
    );
  });
});
