import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { roomKey } from '@switchboard/events';
import { createKeyspace } from '@switchboard/keyspace';
import { createRedis } from '@switchboard/redis';
import type { TypedFastify } from '@switchboard/service-kit';
import { waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxProcesses } from '../src/drivers/proc-table.js';
import type { SandboxWorker } from '../src/workers/index.js';
import { build, buildWorker, caller, type Caller, useRedis, useSandboxRoot } from './helper.js';

/** The keys the apps under test use: they are built without a KEY_PREFIX. */
const keyspace = createKeyspace('');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('tool executions', () => {
  const redis = useRedis();
  const root = useSandboxRoot();
  let app: TypedFastify;
  let worker: SandboxWorker;
  let alice: Caller;
  let bob: Caller;

  beforeAll(async () => {
    // These tests look at the process driver's processes in /proc (state T, environment markers);
    // the isolated driver's pause, kill and confinement are covered by the isolation-*.test.ts files.
    const settings = {
      SANDBOX_ROOT: root.path,
      SANDBOX_ALLOW_EXEC: true,
      SANDBOX_DRIVER: 'process' as const,
    };
    app = await build(redis.server.url, { settings });
    worker = await buildWorker(redis.server.url, settings, app);
    alice = caller(app, 'alice', 'd1');
    bob = caller(app, 'bob', 'd2');
  });
  afterAll(async () => {
    await worker.close();
    await app.close();
  });

  const execution = async (sandboxId: string, executionId: string) =>
    (await alice.get(`/api/sandbox/${sandboxId}/executions/${executionId}`)).json().data;
  const settled = (sandboxId: string, executionId: string, timeoutMs = 10_000) =>
    waitFor(
      async () => {
        const data = await execution(sandboxId, executionId);
        return data.state === 'completed' || data.state === 'failed' ? data : undefined;
      },
      { timeoutMs, message: `execution ${executionId} to finish` },
    );

  it('queues a tool (202) and reports state, output and timings', async () => {
    const sandbox = await alice.createSandbox();
    const res = await alice.post(`/api/sandbox/${sandbox.id}/tools/execute`, {
      tool: 'echo',
      input: { message: 'hi' },
    });
    expect(res.statusCode).toBe(202);
    const { executionId } = res.json().data;
    const done = await settled(sandbox.id, executionId);
    expect(done).toMatchObject({
      state: 'completed',
      tool: 'echo',
      output: { message: 'hi' },
      error: null,
      attempts: 1,
      createdBy: 'alice',
    });
    expect(done.durationMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(done.finishedAt)).toBeGreaterThanOrEqual(Date.parse(done.startedAt));
  });

  it('waits for the result with ?wait=N', async () => {
    const sandbox = await alice.createSandbox();
    const res = await alice.post(`/api/sandbox/${sandbox.id}/tools/execute?wait=10`, {
      tool: 'exec',
      input: { command: 'echo from-shell; pwd' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data.state).toBe('completed');
    expect(res.json().data.output.stdout).toBe(`from-shell\n${join(root.path, sandbox.id)}\n`);
    const short = await alice.post(`/api/sandbox/${sandbox.id}/tools/execute?wait=0.2`, {
      tool: 'sleep',
      input: { ms: 1500 },
    });
    expect(short.statusCode).toBe(202);
    expect(short.json().data.executionId).toMatch(/^exe_/);
  });

  it('honours Idempotency-Key on execute: one execution per key, 409 for another body', async () => {
    const sandbox = await alice.createSandbox();
    const url = `/api/sandbox/${sandbox.id}/tools/execute`;
    const headers = { 'idempotency-key': 'exec-once' };
    const first = await alice.post(
      url,
      { tool: 'exec', input: { command: 'echo x >> runs.txt' } },
      headers,
    );
    const again = await alice.post(
      url,
      { tool: 'exec', input: { command: 'echo x >> runs.txt' } },
      headers,
    );
    expect(again.json().data.executionId).toBe(first.json().data.executionId);
    expect(again.headers['idempotent-replayed']).toBe('true');
    await settled(sandbox.id, first.json().data.executionId);
    expect(readFileSync(join(root.path, sandbox.id, 'runs.txt'), 'utf8')).toBe('x\n');
    const other = await alice.post(url, { tool: 'exec', input: { command: 'echo y' } }, headers);
    expect(other.statusCode).toBe(409);
    expect(other.json().error.code).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('answers 423 with exactly the documented body while paused', async () => {
    const sandbox = await alice.createSandbox();
    const paused = (
      await alice.post(`/api/sandbox/pause/${sandbox.id}`, { reason: 'maintenance' })
    ).json().data;
    const res = await alice.post(`/api/sandbox/${sandbox.id}/tools/execute`, {
      tool: 'echo',
      input: { message: 'x' },
    });
    expect(res.statusCode).toBe(423);
    const body = res.json();
    expect(body).toEqual({
      success: false,
      error: {
        code: 'RESOURCE_LOCKED',
        message: 'Sandbox is paused. Resume the sandbox to execute tools.',
        details: {
          sandboxId: sandbox.id,
          state: 'paused',
          pausedAt: paused.pausedAt,
          pauseReason: 'maintenance',
        },
        traceId: res.headers['x-trace-id'],
      },
    });
    expect(body.error.traceId).toMatch(/^[0-9a-f]{32}$/);
    // Operators see refusals too: the 423 is counted by its code.
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toMatch(
      /sandbox_operations_total\{[^}]*operation="execute"[^}]*status="RESOURCE_LOCKED"[^}]*\} [1-9]/,
    );
    await alice.post('/api/sandbox/pause/sbx_unknown');
    expect((await app.inject('/metrics')).body).toMatch(
      /sandbox_operations_total\{[^}]*operation="pause"[^}]*status="RECORD_NOT_FOUND"[^}]*\} [1-9]/,
    );
  });

  it('rejects unknown tools, bad input, path traversal, foreign and unknown ids', async () => {
    const sandbox = await alice.createSandbox();
    const url = `/api/sandbox/${sandbox.id}/tools/execute`;
    expect((await alice.post(url, { tool: 'rm-rf', input: {} })).json().error.code).toBe(
      'VALIDATION_ERROR',
    );
    const badInput = await alice.post(url, { tool: 'sleep', input: { ms: 'long' } });
    expect(badInput.statusCode).toBe(400);
    expect(badInput.json().error.details.fields[0].path).toBe('/input/ms');
    for (const path of ['../escape.txt', '/etc/passwd', 'a/../../b']) {
      const res = await alice.post(url, { tool: 'write_file', input: { path, content: 'x' } });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toContain('inside the sandbox');
    }
    expect(
      (await alice.post(url, { tool: 'read_file', input: { path: '../../etc/passwd' } }))
        .statusCode,
    ).toBe(400);
    expect(
      (await alice.post(url, { tool: 'echo', input: { message: 'x' }, timeoutMs: 10 ** 9 }))
        .statusCode,
    ).toBe(400);
    expect((await bob.post(url, { tool: 'echo', input: { message: 'x' } })).statusCode).toBe(404);
    expect(
      (
        await alice.post('/api/sandbox/sbx_missing/tools/execute', {
          tool: 'echo',
          input: { message: 'x' },
        })
      ).statusCode,
    ).toBe(404);
    expect((await alice.get(`/api/sandbox/${sandbox.id}/executions/exe_missing`)).statusCode).toBe(
      404,
    );
    const malformed = await app.inject({
      method: 'POST',
      url,
      headers: {
        authorization: `Bearer ${(await import('./helper.js')).tokenFor('alice', 'd1')}`,
        'content-type': 'application/json',
      },
      payload: '{"tool":',
    });
    expect(malformed.json().error.details.reason).toBe('malformed-body');
  });

  it('refuses a symlink that leads out of the sandbox and writes/reads files inside it', async () => {
    const sandbox = await alice.createSandbox();
    const url = `/api/sandbox/${sandbox.id}/tools/execute?wait=10`;
    const written = await alice.post(url, {
      tool: 'write_file',
      input: { path: 'notes/a.txt', content: 'hello' },
    });
    expect(written.json().data).toMatchObject({ state: 'completed', output: { bytes: 5 } });
    expect(readFileSync(join(root.path, sandbox.id, 'notes/a.txt'), 'utf8')).toBe('hello');
    expect(
      (await alice.post(url, { tool: 'read_file', input: { path: 'notes/a.txt' } })).json().data
        .output.content,
    ).toBe('hello');
    await alice.post(url, {
      tool: 'write_file',
      input: { path: 'big.txt', content: 'y'.repeat(70_000) },
    });
    const big = (await alice.post(url, { tool: 'read_file', input: { path: 'big.txt' } })).json()
      .data.output;
    expect(big).toMatchObject({ bytes: 70_000, truncated: true });
    expect(big.content).toHaveLength(65_536);
    await alice.post(url, { tool: 'exec', input: { command: 'ln -s / outside' } });
    const escaped = await alice.post(url, {
      tool: 'read_file',
      input: { path: 'outside/etc/hostname' },
    });
    expect(escaped.json().data).toMatchObject({ state: 'failed' });
    expect(escaped.json().data.error).toContain('inside the sandbox');
    // Writes through the link: into a directory that does not exist yet, and onto a link to a file outside.
    const outsideDir = mkdtempSync(join(tmpdir(), 'switchboard-outside-'));
    try {
      await alice.post(url, {
        tool: 'exec',
        input: {
          command: `ln -s ${outsideDir} out-dir && touch ${outsideDir}/victim && ln -s ${outsideDir}/victim victim-link`,
        },
      });
      for (const path of ['out-dir/new-dir/x.txt', 'out-dir/x.txt', 'victim-link']) {
        const attempt = await alice.post(url, {
          tool: 'write_file',
          input: { path, content: 'pwned' },
        });
        expect(attempt.json().data, path).toMatchObject({ state: 'failed' });
        expect(attempt.json().data.error, path).toContain('inside the sandbox');
      }
      expect(readdirSync(outsideDir)).toEqual(['victim']);
      expect(readFileSync(join(outsideDir, 'victim'), 'utf8')).toBe('');
    } finally {
      rmSync(outsideDir, { recursive: true, force: true });
    }
  });

  it('fails a command that exceeds its time limit and one that exits non-zero', async () => {
    const sandbox = await alice.createSandbox();
    const url = `/api/sandbox/${sandbox.id}/tools/execute?wait=10`;
    const slow = await alice.post(url, { tool: 'sleep', input: { ms: 5000 }, timeoutMs: 300 });
    expect(slow.json().data).toMatchObject({ state: 'failed', error: 'time limit exceeded' });
    const failing = await alice.post(url, {
      tool: 'exec',
      input: { command: 'echo oops >&2; exit 3' },
    });
    expect(failing.json().data).toMatchObject({
      state: 'failed',
      output: { exitCode: 3, stderr: 'oops\n' },
    });
  });

  it('freezes a running execution on pause and continues it, not restarted, on resume', async () => {
    const sandbox = await alice.createSandbox();
    // The counter runs in a setsid child (its own session), so only a /proc tree walk finds it.
    // Each value is written aside and renamed into place: a freeze that lands between the
    // truncation and the write of `echo $i > counter` would otherwise leave the file empty for
    // the whole pause, and the test would read 0 as the value at the pause.
    const script =
      "setsid sh -c 'i=0; while [ $i -lt 50 ]; do i=$((i+1)); echo $i > counter.next; mv counter.next counter; sleep 0.05; done' & wait; echo finished";
    const started = await alice.post(`/api/sandbox/${sandbox.id}/tools/execute`, {
      tool: 'exec',
      input: { command: script },
      timeoutMs: 60_000,
    });
    const { executionId } = started.json().data;
    const counterFile = join(root.path, sandbox.id, 'counter');
    const counter = () => {
      try {
        return Number(readFileSync(counterFile, 'utf8').trim() || 0);
      } catch {
        return 0;
      }
    };
    await waitFor(() => counter() >= 5, { timeoutMs: 10_000, message: 'counter to reach 5' });

    expect(
      (await alice.post(`/api/sandbox/pause/${sandbox.id}`, { reason: 'freeze test' })).statusCode,
    ).toBe(200);
    const frozen = await waitFor(
      async () => {
        const processes = await sandboxProcesses(sandbox.id);
        return processes.length >= 2 && processes.every((entry) => entry.state === 'T')
          ? processes
          : undefined;
      },
      { timeoutMs: 5_000, message: 'every process of the sandbox in state T' },
    );
    expect(frozen.some((entry) => entry.session !== frozen[0]!.session)).toBe(true); // the setsid child was frozen too
    const atPause = counter();
    await sleep(600);
    expect(counter()).toBe(atPause); // 12 increments would have happened in 600 ms
    expect(atPause).toBeLessThan(50);
    expect((await execution(sandbox.id, executionId)).state).toBe('running');

    expect((await alice.post(`/api/sandbox/resume/${sandbox.id}`)).statusCode).toBe(200);
    await waitFor(() => counter() > atPause, {
      timeoutMs: 5_000,
      message: 'counter to move again',
    });
    expect(counter()).toBeLessThanOrEqual(atPause + 10); // continued from where it stopped, not restarted
    const done = await settled(sandbox.id, executionId, 20_000);
    expect(done).toMatchObject({
      state: 'completed',
      output: { stdout: 'finished\n', exitCode: 0 },
    });
    expect(counter()).toBe(50);
    // Frozen time is not running time.
    expect(done.durationMs - done.activeMs).toBeGreaterThanOrEqual(500);
  }, 60_000); // above the sum of its bounded waits (10 + 5 + 0.6 + 5 + 20 s)

  it('never starts a job in a paused sandbox: it waits queued and runs after resume', async () => {
    const sandbox = await alice.createSandbox();
    await alice.post(`/api/sandbox/pause/${sandbox.id}`);
    // Enqueue directly, as if the request had passed the 423 gate just before the pause.
    const record = await app.sandbox.executions.create({
      sandboxId: sandbox.id,
      dealershipId: 'd1',
      tool: 'echo',
      input: { message: 'later' },
      timeoutMs: 5000,
      actor: 'alice',
    });
    await app.sandbox.queues.executions.add(
      'execute',
      { executionId: record.id, sandboxId: sandbox.id },
      { jobId: record.id },
    );
    await sleep(800);
    expect((await execution(sandbox.id, record.id)).state).toBe('queued');
    await alice.post(`/api/sandbox/resume/${sandbox.id}`);
    expect((await settled(sandbox.id, record.id)).output).toEqual({ message: 'later' });
  });

  it('kills running processes on terminate and fails the execution', async () => {
    const sandbox = await alice.createSandbox();
    const { executionId } = (
      await alice.post(`/api/sandbox/${sandbox.id}/tools/execute`, {
        tool: 'sleep',
        input: { ms: 30_000 },
      })
    ).json().data;
    await waitFor(async () => (await sandboxProcesses(sandbox.id)).length > 0, {
      message: 'sleep to run',
    });
    await alice.delete(`/api/sandbox/${sandbox.id}`);
    await waitFor(async () => (await sandboxProcesses(sandbox.id)).length === 0, {
      message: 'processes gone',
    });
    const done = await settled(sandbox.id, executionId);
    expect(done.state).toBe('failed');
    const terminatedExec = await alice.post(`/api/sandbox/${sandbox.id}/tools/execute`, {
      tool: 'echo',
      input: { message: 'x' },
    });
    expect(terminatedExec.json().error).toMatchObject({
      code: 'INVALID_STATE_TRANSITION',
      details: { from: 'terminated' },
    });
  }, 30_000); // above the sum of its bounded waits (5 + 5 + 10 s)

  it('publishes execution steps and counts executions in metrics', async () => {
    const subscriber = createRedis(redis.server.url);
    const events: Array<{ room: string; event: string; data: Record<string, unknown> }> = [];
    subscriber.on('message', (_channel: string, raw: string) => events.push(JSON.parse(raw)));
    const sandbox = await alice.createSandbox();
    await subscriber.subscribe(
      keyspace.realtime.roomChannel(roomKey('d1', `sandbox:${sandbox.id}`)),
    );
    const ok = (
      await alice.post(`/api/sandbox/${sandbox.id}/tools/execute?wait=10`, {
        tool: 'echo',
        input: { message: 'e' },
      })
    ).json().data;
    const bad = (
      await alice.post(`/api/sandbox/${sandbox.id}/tools/execute?wait=10`, {
        tool: 'exec',
        input: { command: 'exit 1' },
      })
    ).json().data;
    await waitFor(() => events.length >= 4, { message: 'four execution events' });
    expect(events.map((event) => `${event.event}:${event.data['executionId']}`)).toEqual([
      `sandbox.execution.started:${ok.executionId}`,
      `sandbox.execution.completed:${ok.executionId}`,
      `sandbox.execution.started:${bad.executionId}`,
      `sandbox.execution.failed:${bad.executionId}`,
    ]);
    await subscriber.quit();
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toMatch(
      /sandbox_executions_total\{[^}]*tool="echo"[^}]*status="completed"[^}]*\} [1-9]/,
    );
    expect(metrics).toMatch(/sandbox_execution_duration_seconds_count\{[^}]*tool="exec"/);
  });
});
