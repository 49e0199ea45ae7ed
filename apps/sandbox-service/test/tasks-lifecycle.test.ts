import { describe, expect, it } from 'vitest';
import { type AgentSocket, useTaskStack, waitFor } from './task-helper.js';

interface Task {
  id: string;
  state: string;
  assignee: string | null;
  version: number;
  result: unknown;
  error: unknown;
  attempts: number;
  dealershipId: string;
}

const stack = useTaskStack({ settings: { TASK_RETRY_BASE_MS: 100, TASK_MAX_ATTEMPTS: 2 } });
let seq = 0;
/** A capability of its own per test, so tests do not take each other's tasks. */
const freshCapability = () => `cap-${++seq}-${Date.now()}`;

async function create(body: Record<string, unknown>, sub = 'alice', d = 'd1', headers = {}) {
  const res = await stack
    .as(sub, d)
    .post('/api/tasks', { title: 't', input: { n: 1 }, ...body }, headers);
  expect(res.statusCode, res.body).toBe(201);
  return res.json().data as Task;
}
const read = async (id: string, d = 'd1') =>
  (await stack.as('alice', d).get(`/api/tasks/${id}`)).json().data as Task;
const act = (
  agent: string,
  id: string,
  action: string,
  body: unknown = {},
  headers = {},
  d = 'd1',
) => stack.as(agent, d, 'agent').post(`/api/tasks/${id}/${action}`, body, headers);

/** Agents online (a gateway connection each) and registered with one capability. */
async function agents(ids: string[], capability: string, maxConcurrent = 1, d = 'd1') {
  const sockets: AgentSocket[] = [];
  for (const id of ids) {
    await stack.register(id, d, [capability], maxConcurrent);
    sockets.push(await stack.connect(id, d));
  }
  return sockets;
}

describe('agent registry', () => {
  it('an agent registers itself, updates itself, and shows status derived from its connection and tasks', async () => {
    const cap = freshCapability();
    const me = stack.as('reg-1', 'd1', 'agent');
    const first = await me.put('/api/agents/reg-1', { capabilities: [cap], maxConcurrent: 1 });
    expect(first.statusCode).toBe(201);
    expect(first.json().data).toMatchObject({
      agentId: 'reg-1',
      status: 'offline',
      activeTasks: 0,
    });
    const again = await me.put('/api/agents/reg-1', {
      capabilities: [cap, 'other'],
      maxConcurrent: 1,
      labels: { zone: 'eu' },
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().data.capabilities).toEqual([cap, 'other'].sort());
    const socket = await stack.connect('reg-1', 'd1');
    expect((await me.get('/api/agents/reg-1')).json().data.status).toBe('online');
    const task = await create({ capability: cap });
    expect(task.assignee).toBe('reg-1');
    expect((await act('reg-1', task.id, 'accept')).statusCode).toBe(200);
    expect((await me.get('/api/agents/reg-1')).json().data).toMatchObject({
      status: 'busy',
      activeTasks: 1,
    });
    socket.close();
    await waitFor(
      async () => (await me.get('/api/agents/reg-1')).json().data.status === 'offline',
      {
        message: 'offline after the last connection closed',
      },
    );
  });

  it('the gateway announces agent.connected / agent.disconnected / agent.status_changed in the dealership room', async () => {
    const watcher = await stack.connect('presence-watch', 'd1');
    const socket = await watcher.join('dealership:d1');
    const agent = await stack.connect('presence-agent', 'd1');
    await waitFor(
      () =>
        socket.events.some(
          (e) => e.event === 'agent.connected' && e.data.agentId === 'presence-agent',
        ),
      {
        message: 'agent.connected',
      },
    );
    agent.close();
    await waitFor(
      () =>
        socket.events.some(
          (e) => e.event === 'agent.disconnected' && e.data.agentId === 'presence-agent',
        ),
      { message: 'agent.disconnected' },
    );
    const statuses = socket.events
      .filter((e) => e.event === 'agent.status_changed' && e.data.agentId === 'presence-agent')
      .map((e) => e.data.status);
    expect(statuses).toEqual(['online', 'offline']);
  });

  it('lists agents by capability from its index, and by status', async () => {
    const cap = freshCapability();
    await agents(['list-a'], cap);
    await stack.register('list-b', 'd1', [cap]);
    const byCap = (await stack.as('u', 'd1').get(`/api/agents?capability=${cap}`)).json().data;
    expect(byCap.items.map((a: { agentId: string }) => a.agentId).sort()).toEqual([
      'list-a',
      'list-b',
    ]);
    const online = (
      await stack.as('u', 'd1').get(`/api/agents?capability=${cap}&status=online`)
    ).json().data;
    expect(online.items.map((a: { agentId: string }) => a.agentId)).toEqual(['list-a']);
  });

  it('refuses registering another agent (403) unless admin, who registers in their own dealership', async () => {
    const cap = freshCapability();
    expect(
      (
        await stack
          .as('x', 'd1', 'agent')
          .put('/api/agents/y', { capabilities: [cap], maxConcurrent: 1 })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await stack
          .as('x', 'd1', 'user')
          .put('/api/agents/x', { capabilities: [cap], maxConcurrent: 1 })
      ).statusCode,
    ).toBe(403);
    const admin = await stack
      .as('root', 'd1', 'admin')
      .put('/api/agents/by-admin', { capabilities: [cap], maxConcurrent: 2 });
    expect(admin.statusCode).toBe(201);
    expect(admin.json().data.dealershipId).toBe('d1');
    expect((await stack.as('u', 'd2').get('/api/agents/by-admin')).statusCode).toBe(404);
  });

  it('bounds what an agent may register (flood): capabilities, maxConcurrent, labels', async () => {
    const me = stack.as('flood', 'd1', 'agent');
    const many = Array.from({ length: 33 }, (_, i) => `c${i}`);
    const tooMany = await me.put('/api/agents/flood', { capabilities: many, maxConcurrent: 1 });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.code).toBe('VALIDATION_ERROR');
    expect(
      (await me.put('/api/agents/flood', { capabilities: ['a'], maxConcurrent: 101 })).statusCode,
    ).toBe(400);
    expect(
      (await me.put('/api/agents/flood', { capabilities: ['A{x}'], maxConcurrent: 1 })).statusCode,
    ).toBe(400);
    const labels = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v']));
    expect(
      (await me.put('/api/agents/flood', { capabilities: ['a'], maxConcurrent: 1, labels }))
        .statusCode,
    ).toBe(400);
  });
});

describe('task lifecycle', () => {
  it('create assigns an online agent with the capability; accept and complete store the result', async () => {
    const cap = freshCapability();
    const [socket] = await agents(['life-a'], cap);
    const task = await create({ capability: cap, projectId: 'p1' });
    expect(task).toMatchObject({ state: 'assigned', assignee: 'life-a', version: 2 });
    const accepted = await act('life-a', task.id, 'accept', {}, { 'if-match': '"2"' });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.headers['etag']).toBe('"3"');
    const done = await act('life-a', task.id, 'complete', { result: { ok: true } });
    expect(done.json().data).toMatchObject({
      state: 'completed',
      result: { ok: true },
      version: 4,
    });
    await waitFor(() => socket!.events.some((e) => e.event === 'task.completed'), {
      message: 'task.completed in the agent room',
    });
    // The agent room also carries the agent's own presence (agent.status_changed), whose
    // arrival beside the task events depends on when its subscription landed: only the task's
    // events are in a fixed order.
    const taskEvents = socket!.events.filter((e) => e.event.startsWith('task.'));
    expect(taskEvents.map((e) => e.event)).toEqual([
      'task.assigned',
      'task.accepted',
      'task.completed',
    ]);
    const history = (await stack.as('alice', 'd1').get(`/api/tasks/${task.id}/history`)).json()
      .data;
    expect(history.entries.map((e: { action: string }) => e.action)).toEqual([
      'create',
      'assign',
      'accept',
      'complete',
    ]);
    expect(history.entries[2]).toMatchObject({ actor: 'life-a', from: 'assigned', to: 'accepted' });
  });

  it('refuses the wrong agent (403), another tenant (404), a stale version (409) and an illegal transition (409)', async () => {
    const cap = freshCapability();
    await agents(['ref-a', 'ref-b'], cap);
    const task = await create({ capability: cap });
    const other = task.assignee === 'ref-a' ? 'ref-b' : 'ref-a';
    const wrong = await act(other, task.id, 'accept');
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error.code).toBe('FORBIDDEN');
    const tenant = await act(task.assignee!, task.id, 'accept', {}, {}, 'd2');
    expect(tenant.statusCode).toBe(404);
    const stale = await act(task.assignee!, task.id, 'accept', {}, { 'if-match': '"1"' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.details).toMatchObject({ reason: 'version_mismatch', version: 2 });
    const early = await act(task.assignee!, task.id, 'complete', { result: 1 });
    expect(early.statusCode).toBe(409);
    expect(early.json().error).toMatchObject({
      code: 'INVALID_STATE_TRANSITION',
      details: { reason: 'illegal_transition', from: 'assigned' },
    });
    expect((await read(task.id)).version).toBe(2);
  });

  it('create is idempotent with an Idempotency-Key; the same key with another body is a conflict', async () => {
    const cap = freshCapability();
    const key = { 'idempotency-key': `k-${cap}` };
    const first = await create({ capability: cap }, 'alice', 'd1', key);
    const replay = await create({ capability: cap }, 'alice', 'd1', key);
    expect(replay.id).toBe(first.id);
    const conflict = await stack
      .as('alice', 'd1')
      .post('/api/tasks', { title: 'other', capability: cap, input: 1 }, key);
    expect(conflict.statusCode).toBe(409);
    const list = (await stack.as('alice', 'd1').get(`/api/tasks?capability=${cap}`)).json().data;
    expect(list.items).toHaveLength(1);
  });

  it('a rejected task goes to the next agent and is never offered back to the one that rejected it', async () => {
    const cap = freshCapability();
    await agents(['rej-a', 'rej-b'], cap);
    const task = await create({ capability: cap });
    const first = task.assignee!;
    const second = first === 'rej-a' ? 'rej-b' : 'rej-a';
    const rejected = await act(first, task.id, 'reject', { reason: 'busy elsewhere' });
    // The answer is the rejection's own result; the next offer is a transition of its own.
    expect(rejected.json().data).toMatchObject({ state: 'pending', assignee: null });
    expect(await read(task.id)).toMatchObject({ state: 'assigned', assignee: second });
    await act(second, task.id, 'reject', {});
    const after = await read(task.id);
    expect(after).toMatchObject({ state: 'pending', assignee: null });
    const history = (await stack.as('alice', 'd1').get(`/api/tasks/${task.id}/history`)).json()
      .data;
    expect(history.entries.filter((e: { action: string }) => e.action === 'reject')).toEqual([
      expect.objectContaining({ agentId: first, reason: 'busy elsewhere' }),
      expect.objectContaining({ agentId: second }),
    ]);
  });

  it('an assignee that does not accept in time loses the task to the next agent', async () => {
    const cap = freshCapability();
    await agents(['slow-a', 'slow-b'], cap);
    const task = await create({ capability: cap, acceptTimeoutMs: 300 });
    const first = task.assignee!;
    const moved = await waitFor(
      async () => {
        const now = await read(task.id);
        return now.assignee && now.assignee !== first ? now : undefined;
      },
      { message: 'reassigned after the accept timeout' },
    );
    expect(moved.state).toBe('assigned');
    const history = (await stack.as('alice', 'd1').get(`/api/tasks/${task.id}/history`)).json()
      .data;
    expect(history.entries.find((e: { action: string }) => e.action === 'timeout')).toMatchObject({
      actor: 'system',
      reason: 'accept_timeout',
      agentId: first,
    });
    expect((await act(first, task.id, 'accept')).statusCode).toBe(403);
  });

  it('delegation moves an accepted task on, and history keeps the chain', async () => {
    const cap = freshCapability();
    const other = freshCapability();
    await agents(['del-a'], cap);
    await agents(['del-b'], cap);
    await agents(['del-c'], other);
    const task = await create({ capability: cap, assignTo: 'del-a' });
    expect(task.assignee).toBe('del-a');
    await act('del-a', task.id, 'accept');
    const toB = await act('del-a', task.id, 'delegate', { toAgentId: 'del-b', reason: 'needs b' });
    expect(toB.json().data).toMatchObject({ state: 'assigned', assignee: 'del-b' });
    await act('del-b', task.id, 'accept');
    const toC = await act('del-b', task.id, 'delegate', { capability: other });
    expect(toC.json().data).toMatchObject({ assignee: 'del-c', capability: other });
    await act('del-c', task.id, 'accept');
    await act('del-c', task.id, 'complete', { result: 'done' });
    const history = (await stack.as('alice', 'd1').get(`/api/tasks/${task.id}/history`)).json()
      .data;
    expect(history.delegationChain).toEqual(['del-a', 'del-b', 'del-c']);
    expect(history.entries.filter((e: { action: string }) => e.action === 'delegate')).toEqual([
      expect.objectContaining({ delegatedFrom: 'del-a', agentId: 'del-b', reason: 'needs b' }),
      expect.objectContaining({ delegatedFrom: 'del-b', agentId: 'del-c' }),
    ]);
    // Not accepted: nothing to delegate.
    const t2 = await create({ capability: cap, assignTo: 'del-a' });
    expect((await act('del-a', t2.id, 'delegate', { toAgentId: 'del-b' })).statusCode).toBe(409);
  });

  it('a task past its deadline fails with deadline_exceeded', async () => {
    const cap = freshCapability();
    const task = await create({
      capability: cap,
      deadline: new Date(Date.now() + 400).toISOString(),
    });
    expect(task.state).toBe('pending');
    const failed = await waitFor(
      async () => {
        const now = await read(task.id);
        return now.state === 'failed' ? now : undefined;
      },
      { message: 'failed at the deadline' },
    );
    expect(failed.error).toEqual({ code: 'deadline_exceeded' });
    const past = await stack.as('alice', 'd1').post('/api/tasks', {
      title: 't',
      capability: cap,
      input: 1,
      deadline: new Date(0).toISOString(),
    });
    expect(past.statusCode).toBe(400);
  });

  it('a retryable failure is retried after a backoff, then fails for good at TASK_MAX_ATTEMPTS', async () => {
    const cap = freshCapability();
    await agents(['retry-a'], cap);
    const task = await create({ capability: cap });
    await act('retry-a', task.id, 'accept');
    const retried = await act('retry-a', task.id, 'fail', { error: 'flaky', retryable: true });
    expect(retried.json().data).toMatchObject({ state: 'pending', attempts: 1, error: 'flaky' });
    const again = await waitFor(
      async () => {
        const now = await read(task.id);
        return now.state === 'assigned' ? now : undefined;
      },
      { message: 'offered again after the backoff' },
    );
    expect(again.assignee).toBe('retry-a');
    await act('retry-a', task.id, 'accept');
    const final = await act('retry-a', task.id, 'fail', { error: 'flaky', retryable: true });
    expect(final.json().data).toMatchObject({ state: 'failed', attempts: 2 });
  });

  it('the creator or an admin cancels an open task; others may not; a finished task cannot be', async () => {
    const cap = freshCapability();
    await agents(['can-a'], cap);
    const task = await create({ capability: cap });
    await act('can-a', task.id, 'accept');
    expect(
      (await stack.as('mallory', 'd1').post(`/api/tasks/${task.id}/cancel`, {})).statusCode,
    ).toBe(403);
    const cancelled = await stack
      .as('alice', 'd1')
      .post(`/api/tasks/${task.id}/cancel`, { reason: 'no longer needed' });
    expect(cancelled.json().data.state).toBe('cancelled');
    expect(
      (await stack.as('alice', 'd1').post(`/api/tasks/${task.id}/cancel`, {})).statusCode,
    ).toBe(409);
    // The cancelled task freed the agent: the next one goes straight to it.
    const next = await create({ capability: cap });
    expect(next.assignee).toBe('can-a');
    const byAdmin = await stack.as('root', 'd1', 'admin').post(`/api/tasks/${next.id}/cancel`, {});
    expect(byAdmin.json().data.state).toBe('cancelled');
  });

  it('a task waits in pending until an agent with the capability comes online', async () => {
    const cap = freshCapability();
    await stack.register('late', 'd1', [cap]);
    const task = await create({ capability: cap });
    expect(task.state).toBe('pending');
    await stack.connect('late', 'd1');
    const assigned = await waitFor(
      async () => {
        const now = await read(task.id);
        return now.state === 'assigned' ? now : undefined;
      },
      { message: 'assigned once the agent connected' },
    );
    expect(assigned.assignee).toBe('late');
  });

  it('picks the least loaded agent, then the one idle longest', async () => {
    const cap = freshCapability();
    await agents(['load-a', 'load-b'], cap, 3);
    const one = await create({ capability: cap });
    const two = await create({ capability: cap });
    expect(new Set([one.assignee, two.assignee])).toEqual(new Set(['load-a', 'load-b']));
    await act(one.assignee!, one.id, 'accept');
    await act(one.assignee!, one.id, 'complete', { result: 1 });
    // one's agent is now at 0 tasks, two's at 1.
    const three = await create({ capability: cap });
    expect(three.assignee).toBe(one.assignee);
  });
});

describe('metrics', () => {
  it('counts created, completed and failed tasks, wait and duration, and open tasks by state', async () => {
    const cap = freshCapability();
    await agents(['met-a'], cap);
    const done = await create({ capability: cap });
    await act('met-a', done.id, 'accept');
    await act('met-a', done.id, 'complete', { result: 1 });
    const failed = await create({ capability: cap });
    await act('met-a', failed.id, 'accept');
    await act('met-a', failed.id, 'fail', { error: 'no' });
    await create({ capability: `${cap}-nobody` });
    const metrics = (await stack.app.inject('/metrics')).body;
    const value = (pattern: RegExp) => Number(pattern.exec(metrics)?.[1] ?? Number.NaN);
    expect(value(/^tasks_created_total\{[^}]*\} (\d+)/m)).toBeGreaterThanOrEqual(3);
    expect(value(/^tasks_completed_total\{[^}]*\} (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^tasks_failed_total\{reason="error"[^}]*\} (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^task_wait_seconds_count\{[^}]*\} (\d+)/m)).toBeGreaterThanOrEqual(2);
    expect(value(/^task_duration_seconds_count\{[^}]*\} (\d+)/m)).toBeGreaterThanOrEqual(2);
    expect(value(/^tasks_open\{state="pending"[^}]*\} (\d+)/m)).toBeGreaterThanOrEqual(1);
  });
});

describe('bounds, validation and tenancy', () => {
  it('refuses input or result beyond TASK_MAX_BYTES with 413', async () => {
    const cap = freshCapability();
    const big = 'x'.repeat(262_145);
    const res = await stack
      .as('alice', 'd1')
      .post('/api/tasks', { title: 't', capability: cap, input: big });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    await agents(['big-a'], cap);
    const task = await create({ capability: cap });
    await act('big-a', task.id, 'accept');
    expect((await act('big-a', task.id, 'complete', { result: big })).statusCode).toBe(413);
    expect((await read(task.id)).state).toBe('accepted');
  });

  it('answers the SPEC error envelope for invalid bodies and queries', async () => {
    const bad = await stack
      .as('alice', 'd1')
      .post('/api/tasks', { title: '', capability: 'X Y', input: 1 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ success: false, error: { code: 'VALIDATION_ERROR' } });
    expect((await stack.as('alice', 'd1').get('/api/tasks?limit=1000')).statusCode).toBe(400);
    expect((await stack.as('alice', 'd1').get('/api/tasks?cursor=nope')).statusCode).toBe(400);
    expect((await stack.as('alice', 'd1').get('/api/tasks/missing')).statusCode).toBe(404);
  });

  it('keeps tenants apart: tasks, lists and agents of another dealership are invisible and untouchable', async () => {
    const cap = freshCapability();
    await agents(['t-d2'], cap, 1, 'd2');
    const task = await create({ capability: cap });
    // d2's agent has the capability and is free, but is another tenant's.
    expect(task.state).toBe('pending');
    expect((await stack.as('bob', 'd2').get(`/api/tasks/${task.id}`)).statusCode).toBe(404);
    expect((await stack.as('bob', 'd2').post(`/api/tasks/${task.id}/cancel`, {})).statusCode).toBe(
      404,
    );
    const theirs = (await stack.as('bob', 'd2').get(`/api/tasks?capability=${cap}`)).json().data;
    expect(theirs.items).toHaveLength(0);
    expect((await stack.as('alice', 'd1').get(`/api/agents/t-d2`)).statusCode).toBe(404);
  });

  it('pages the task list with a cursor, filtered by state', async () => {
    const cap = freshCapability();
    for (let i = 0; i < 5; i += 1) await create({ capability: cap, projectId: `pg-${cap}` });
    const first = (
      await stack.as('alice', 'd1').get(`/api/tasks?projectId=pg-${cap}&state=pending&limit=3`)
    ).json().data;
    expect(first.items).toHaveLength(3);
    const second = (
      await stack
        .as('alice', 'd1')
        .get(`/api/tasks?projectId=pg-${cap}&state=pending&limit=3&cursor=${first.nextCursor}`)
    ).json().data;
    expect(second.items).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
    const ids = [...first.items, ...second.items].map((t: Task) => t.id);
    expect(new Set(ids).size).toBe(5);
  });
});
