import { roomKey } from '@switchboard/events';
import { createKeyspace } from '@switchboard/keyspace';
import { staticFlagReader } from '@switchboard/flags';
import { createRedis } from '@switchboard/redis';
import type { TypedFastify } from '@switchboard/service-kit';
import { waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, caller, type Caller, useRedis, useSandboxRoot } from './helper.js';

/** The keys the apps under test use: they are built without a KEY_PREFIX. */
const keyspace = createKeyspace('');

describe('pause, resume, history, settings', () => {
  const redis = useRedis();
  const root = useSandboxRoot();
  let app: TypedFastify;
  let alice: Caller;
  let bob: Caller;

  beforeAll(async () => {
    app = await build(redis.server.url, { settings: { SANDBOX_ROOT: root.path } });
    alice = caller(app, 'alice', 'd1');
    bob = caller(app, 'bob', 'd2');
  });
  afterAll(async () => {
    await app.close();
  });

  it('pauses with a reason and resumes; status shows pausedAt and pauseReason', async () => {
    const sandbox = await alice.createSandbox();
    const paused = await alice.post(`/api/sandbox/pause/${sandbox.id}`, { reason: 'lunch' });
    expect(paused.statusCode).toBe(200);
    expect(paused.json().data).toMatchObject({
      state: 'paused',
      pauseReason: 'lunch',
      pausedBy: 'alice',
      pauseSource: 'api',
    });
    expect(Date.parse(paused.json().data.pausedAt)).toBeGreaterThan(Date.now() - 10_000);
    const resumed = await alice.post(`/api/sandbox/resume/${sandbox.id}`, { reason: 'back' });
    expect(resumed.statusCode).toBe(200);
    expect(
      (await alice.get(`/api/sandbox/${sandbox.id}/pause-history`)).json().data.items[0],
    ).toMatchObject({ action: 'resume', reason: 'back' });
    expect(resumed.json().data).toMatchObject({
      state: 'active',
      pausedAt: null,
      pauseReason: null,
    });
  });

  it('answers 409 INVALID_STATE_TRANSITION with from/to for illegal transitions', async () => {
    const sandbox = await alice.createSandbox();
    const resumeActive = await alice.post(`/api/sandbox/resume/${sandbox.id}`);
    expect(resumeActive.statusCode).toBe(409);
    expect(resumeActive.json().error).toMatchObject({
      code: 'INVALID_STATE_TRANSITION',
      details: { sandboxId: sandbox.id, from: 'active', to: 'active' },
    });
    await alice.post(`/api/sandbox/pause/${sandbox.id}`);
    const pauseTwice = await alice.post(`/api/sandbox/pause/${sandbox.id}`);
    expect(pauseTwice.json().error.details).toMatchObject({ from: 'paused', to: 'paused' });
    await alice.delete(`/api/sandbox/${sandbox.id}`);
    expect(
      (await alice.post(`/api/sandbox/resume/${sandbox.id}`)).json().error.details,
    ).toMatchObject({ from: 'terminated', to: 'active' });
  });

  it("hides other tenants' sandboxes (404) and validates input", async () => {
    const sandbox = await alice.createSandbox();
    expect((await bob.post(`/api/sandbox/pause/${sandbox.id}`)).statusCode).toBe(404);
    expect((await bob.get(`/api/sandbox/${sandbox.id}/pause-history`)).statusCode).toBe(404);
    expect(
      (await bob.put(`/api/sandbox/${sandbox.id}/pause-settings`, { autoPause: {} })).statusCode,
    ).toBe(404);
    expect((await alice.post('/api/sandbox/pause/sbx_unknown')).statusCode).toBe(404);
    expect(
      (await alice.post(`/api/sandbox/pause/${sandbox.id}`, { reason: 'x'.repeat(501) }))
        .statusCode,
    ).toBe(400);
    const badSettings = await alice.put(`/api/sandbox/${sandbox.id}/pause-settings`, {
      autoPause: { idleTimeoutSec: -1 },
    });
    expect(badSettings.statusCode).toBe(400);
    expect(badSettings.json().error.details.fields[0].path).toBe('/autoPause/idleTimeoutSec');
    expect((await alice.get(`/api/sandbox/${sandbox.id}/status`)).json().data.state).toBe('active');
  });

  it('keeps state and history consistent under 100 concurrent pause/resume calls', async () => {
    const sandbox = await alice.createSandbox();
    const calls = Array.from({ length: 100 }, (_, i) =>
      i % 2 === 0
        ? alice.post(`/api/sandbox/pause/${sandbox.id}`)
        : alice.post(`/api/sandbox/resume/${sandbox.id}`),
    );
    const responses = await Promise.all(calls);
    expect(responses.every((res) => res.statusCode === 200 || res.statusCode === 409)).toBe(true);
    const succeeded = responses.filter((res) => res.statusCode === 200).length;
    // Some calls must win (all-409 would leave a trivially consistent history).
    expect(succeeded).toBeGreaterThanOrEqual(2);
    const history = (await alice.get(`/api/sandbox/${sandbox.id}/pause-history?limit=200`)).json()
      .data.items as Array<{ seq: number; action: string; from: string | null; to: string }>;
    const state = (await alice.get(`/api/sandbox/${sandbox.id}/status`)).json().data.state;
    expect(history).toHaveLength(succeeded + 1); // + the create entry
    expect(history[0]!.to).toBe(state);
    // Newest first: every entry starts where the next older one ended, and they alternate.
    for (let i = 0; i < history.length - 1; i += 1) {
      expect(history[i]!.from).toBe(history[i + 1]!.to);
      expect(history[i]!.seq).toBe(history[i + 1]!.seq + 1);
    }
    expect(history.at(-1)).toMatchObject({ action: 'create', from: null, to: 'active' });
    const actions = history.slice(0, -1).map((entry) => entry.action);
    for (let i = 0; i < actions.length - 1; i += 1) expect(actions[i]).not.toBe(actions[i + 1]);
    expect(actions.at(-1)).toBe('pause');
  });

  it('pages history newest first with who, when, action, reason and source', async () => {
    const sandbox = await alice.createSandbox();
    for (let i = 0; i < 3; i += 1) {
      await alice.post(`/api/sandbox/pause/${sandbox.id}`, { reason: `r${i}` });
      await alice.post(`/api/sandbox/resume/${sandbox.id}`);
    }
    const first = (await alice.get(`/api/sandbox/${sandbox.id}/pause-history?limit=4`)).json().data;
    expect(first.items.map((entry: { action: string }) => entry.action)).toEqual([
      'resume',
      'pause',
      'resume',
      'pause',
    ]);
    expect(first.items[1]).toMatchObject({
      actor: 'alice',
      source: 'api',
      reason: 'r2',
      from: 'active',
      to: 'paused',
    });
    expect(Date.parse(first.items[0].timestamp)).not.toBeNaN();
    // New entries between pages do not shift the next page.
    await alice.post(`/api/sandbox/pause/${sandbox.id}`);
    const second = (
      await alice.get(`/api/sandbox/${sandbox.id}/pause-history?limit=4&cursor=${first.nextCursor}`)
    ).json().data;
    expect(
      second.items.map(
        (entry: { action: string; reason: string | null }) =>
          `${entry.action}:${entry.reason ?? ''}`,
      ),
    ).toEqual(['resume:', 'pause:r0', 'create:']);
    expect(second.nextCursor).toBeNull();
  });

  it('bounds history to SANDBOX_HISTORY_MAX entries', async () => {
    const small = await build(redis.server.url, {
      settings: { SANDBOX_ROOT: root.path, SANDBOX_HISTORY_MAX: 5 },
    });
    const erin = caller(small, 'erin', 'd5');
    const sandbox = await erin.createSandbox();
    for (let i = 0; i < 6; i += 1)
      await erin.post(`/api/sandbox/${i % 2 === 0 ? 'pause' : 'resume'}/${sandbox.id}`);
    const items = (await erin.get(`/api/sandbox/${sandbox.id}/pause-history?limit=50`)).json().data
      .items;
    expect(items).toHaveLength(5);
    expect(items[0].seq).toBe(7);
    await small.close();
  });

  it('stores pause settings and returns them', async () => {
    const sandbox = await alice.createSandbox();
    const res = await alice.put(`/api/sandbox/${sandbox.id}/pause-settings`, {
      autoPause: { idleTimeoutSec: 300, maxMemoryMb: 512 },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data.settings.autoPause).toEqual({
      idleTimeoutSec: 300,
      maxExecutionTimeSec: null,
      maxMemoryMb: 512,
    });
    const schedulers = await app.sandbox.queues.autoPause.getJobSchedulers();
    expect(schedulers.map((scheduler) => scheduler.key)).toContain(`auto-pause:${sandbox.id}`);
    await alice.put(`/api/sandbox/${sandbox.id}/pause-settings`, { autoPause: {} });
    expect(
      (await app.sandbox.queues.autoPause.getJobSchedulers()).map((scheduler) => scheduler.key),
    ).not.toContain(`auto-pause:${sandbox.id}`);
  });

  it('replays an idempotent pause and refuses the same key with another body', async () => {
    const sandbox = await alice.createSandbox();
    const headers = { 'idempotency-key': `pause-${sandbox.id}` };
    const first = await alice.post(`/api/sandbox/pause/${sandbox.id}`, { reason: 'once' }, headers);
    const replay = await alice.post(
      `/api/sandbox/pause/${sandbox.id}`,
      { reason: 'once' },
      headers,
    );
    expect(first.statusCode).toBe(200);
    expect(replay.statusCode).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(first.json());
    const conflict = await alice.post(
      `/api/sandbox/pause/${sandbox.id}`,
      { reason: 'twice' },
      headers,
    );
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error.code).toBe('IDEMPOTENCY_CONFLICT');
    const history = (await alice.get(`/api/sandbox/${sandbox.id}/pause-history`)).json().data.items;
    expect(history.filter((entry: { action: string }) => entry.action === 'pause')).toHaveLength(1);
    const createKey = { 'idempotency-key': 'create-1' };
    const created = await alice.post('/api/sandbox', { name: 'once' }, createKey);
    const createdAgain = await alice.post('/api/sandbox', { name: 'once' }, createKey);
    expect(createdAgain.statusCode).toBe(201);
    expect(createdAgain.json().data.id).toBe(created.json().data.id);
  });

  it('publishes state changes to the sandbox and dealership rooms on Redis', async () => {
    const subscriber = createRedis(redis.server.url);
    const messages: Array<{ room: string; event: string; data: Record<string, unknown> }> = [];
    subscriber.on('pmessage', (_pattern: string, _channel: string, raw: string) =>
      messages.push(JSON.parse(raw)),
    );
    await subscriber.psubscribe(keyspace.realtime.roomChannel(roomKey('d1', '*')));
    const sandbox = await alice.createSandbox({ name: 'watched' });
    await alice.post(`/api/sandbox/pause/${sandbox.id}`, { reason: 'look' });
    await alice.post(`/api/sandbox/resume/${sandbox.id}`);
    await alice.delete(`/api/sandbox/${sandbox.id}`);
    const forSandbox = () => messages.filter((message) => message.data['sandboxId'] === sandbox.id);
    await waitFor(() => forSandbox().length === 8, { message: '4 events x 2 rooms' });
    const inRoom = (room: string) =>
      forSandbox()
        .filter((message) => message.room === room)
        .map((message) => message.event);
    expect(inRoom(`sandbox:${sandbox.id}`)).toEqual([
      'sandbox.created',
      'sandbox.paused',
      'sandbox.resumed',
      'sandbox.terminated',
    ]);
    expect(inRoom('dealership:d1')).toEqual([
      'sandbox.created',
      'sandbox.paused',
      'sandbox.resumed',
      'sandbox.terminated',
    ]);
    expect(forSandbox().find((message) => message.event === 'sandbox.paused')?.data).toMatchObject({
      state: 'paused',
      from: 'active',
      reason: 'look',
      source: 'api',
      actor: 'alice',
    });
    await subscriber.quit();
  });

  it('answers 404 FEATURE_DISABLED for pause, resume, bulk, history and settings when the flag is off', async () => {
    const off = await build(redis.server.url, {
      settings: { SANDBOX_ROOT: root.path },
      flags: staticFlagReader({ SANDBOX_PAUSE_RESUME: false }),
    });
    const frank = caller(off, 'frank', 'd6');
    const sandbox = await frank.createSandbox();
    const gated = [
      await frank.post(`/api/sandbox/pause/${sandbox.id}`),
      await frank.post(`/api/sandbox/resume/${sandbox.id}`),
      await frank.post('/api/sandbox/bulk/pause', { ids: [sandbox.id] }),
      await frank.post('/api/sandbox/bulk/resume', { ids: [sandbox.id] }),
      await frank.get(`/api/sandbox/${sandbox.id}/pause-history`),
      await frank.put(`/api/sandbox/${sandbox.id}/pause-settings`, { autoPause: {} }),
      // The gate comes before the body is validated: a bad body does not reveal the endpoint either.
      await frank.put(`/api/sandbox/${sandbox.id}/pause-settings`, { autoPause: 'not an object' }),
      await frank.post('/api/sandbox/bulk/pause', { ids: 'not a list' }),
    ];
    for (const res of gated) {
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('FEATURE_DISABLED');
    }
    expect((await frank.get(`/api/sandbox/${sandbox.id}/status`)).statusCode).toBe(200);
    await off.close();
  });
});
