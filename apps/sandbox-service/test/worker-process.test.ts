import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { TypedFastify } from '@switchboard/service-kit';
import { freePort, waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxProcesses } from '../src/drivers/proc-table.js';
import { build, caller, useRedis, useSandboxRoot } from './helper.js';

// The built worker, as `pnpm --filter @switchboard/sandbox-service worker` runs it.
const workerEntry = fileURLToPath(new URL('../dist/worker.js', import.meta.url));

describe('worker process', () => {
  const redis = useRedis();
  const root = useSandboxRoot();
  let app: TypedFastify;
  const children: ChildProcess[] = [];

  function startWorkerProcess(extraEnv: Record<string, string> = {}): Promise<ChildProcess> {
    const child = spawn(process.execPath, [workerEntry], {
      env: {
        PATH: process.env['PATH'] ?? '',
        REDIS_URL: redis.server.url,
        SANDBOX_ROOT: root.path,
        WORKER_CONCURRENCY: '2',
        WORKER_LOCK_DURATION_MS: '1500',
        SANDBOX_ALLOW_EXEC: 'true',
        // Orphans of a killed worker exist only under the process driver (bwrap dies with its parent).
        SANDBOX_DRIVER: 'process',
        LOG_LEVEL: 'info',
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    outputs.set(child, () => output);
    const exited = () => child.exitCode !== null || child.signalCode !== null;
    return waitFor(
      () => (output.includes('sandbox worker ready') || exited() ? child : undefined),
      { timeoutMs: 15_000, message: 'worker ready' },
    ).then(
      () => {
        if (!output.includes('sandbox worker ready'))
          throw new Error(`worker exited before it was ready (output: ${output})`);
        return child;
      },
      (error: Error) => {
        throw new Error(`${error.message} (output: ${output})`);
      },
    );
  }
  const outputs = new Map<ChildProcess, () => string>();

  /**
   * A worker with its metrics endpoint on a port that was free a moment ago. Another process can
   * take that port before the worker binds it; the worker then exits 1 (EADDRINUSE) before it is
   * ready, and this starts another one on a fresh port (at most three times).
   */
  async function startWorkerWithMetrics(): Promise<{ child: ChildProcess; port: number }> {
    for (let attempt = 1; ; attempt += 1) {
      const port = await freePort();
      try {
        return {
          child: await startWorkerProcess({ WORKER_METRICS_PORT: String(port), HOST: '127.0.0.1' }),
          port,
        };
      } catch (error) {
        if (!String(error).includes('EADDRINUSE') || attempt === 3) throw error;
      }
    }
  }

  beforeAll(async () => {
    app = await build(redis.server.url, {
      settings: { SANDBOX_ROOT: root.path, SANDBOX_ALLOW_EXEC: true },
    });
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await app.close();
  });

  it('exits 1 with one clear line, before it is ready, when its metrics port is taken', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as { port: number }).port;
    try {
      const failure = await startWorkerProcess({
        WORKER_METRICS_PORT: String(port),
        HOST: '127.0.0.1',
      }).then(
        () => 'ready',
        (error: Error) => error.message,
      );
      expect(failure).toMatch(/worker exited before it was ready/);
      expect(failure).toMatch(new RegExp(`cannot listen on WORKER_METRICS_PORT ${port}`));
      expect(children.at(-1)?.exitCode).toBe(1);
    } finally {
      squatter.close();
    }
  });

  it('loses no job when a worker is killed mid-queue and another takes over', async () => {
    const alice = caller(app, 'alice', 'd1');
    const sandbox = await alice.createSandbox();
    const ids: string[] = [];
    for (let i = 0; i < 16; i += 1) {
      const res = await alice.post(`/api/sandbox/${sandbox.id}/tools/execute`, {
        tool: 'sleep',
        input: { ms: 250 },
      });
      ids.push(res.json().data.executionId);
    }
    const states = async () =>
      Promise.all(ids.map(async (id) => (await app.sandbox.executions.get(sandbox.id, id))!.state));

    const first = await startWorkerProcess();
    await waitFor(
      async () => (await states()).filter((state) => state === 'completed').length >= 3,
      { timeoutMs: 15_000, message: 'a few executions done' },
    );
    const exited = new Promise((resolve) => first.once('exit', resolve));
    first.kill('SIGKILL'); // mid-queue, with jobs in flight
    await exited;
    const afterKill = await states();
    expect(afterKill.filter((state) => state !== 'completed').length).toBeGreaterThan(0);

    const { child: second, port } = await startWorkerWithMetrics();
    await waitFor(async () => (await states()).every((state) => state === 'completed'), {
      timeoutMs: 30_000,
      message: 'every execution completed',
    });
    // The worker's own endpoint: execution metrics and readiness with the freeze method.
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(
      /sandbox_executions_total\{[^}]*tool="sleep"[^}]*status="completed"[^}]*\} [1-9]/,
    );
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect(ready.status).toBe(200);
    expect(
      ((await ready.json()) as { checks: Record<string, { info: { freeze: { method: string } } }> })
        .checks['sandbox-driver']?.info.freeze.method,
    ).toBe('signals');
    const counts = await app.sandbox.queues.executions.getJobCounts(
      'completed',
      'failed',
      'waiting',
      'active',
      'delayed',
    );
    expect(counts).toMatchObject({ completed: 16, failed: 0, waiting: 0, active: 0, delayed: 0 });

    // SIGTERM closes gracefully.
    const code = new Promise((resolve) => second.once('exit', resolve));
    second.kill('SIGTERM');
    expect(await code).toBe(0);
  }, 120_000); // above the sum of its bounded waits (15 + 15 + 15 + 15 + 30 s)

  it('ends what a dead worker left running before re-running its job, so one copy runs', async () => {
    const alice = caller(app, 'alice', 'd1');
    const sandbox = await alice.createSandbox();
    // The first attempt would run 30 s; the re-run takes 2 s, long enough to look at the orphans meanwhile.
    const script =
      'if [ -f attempt-1 ]; then sleep 2; echo done; else touch attempt-1; sleep 30; fi';
    const { executionId } = (
      await alice.post(`/api/sandbox/${sandbox.id}/tools/execute`, {
        tool: 'exec',
        input: { command: script },
        timeoutMs: 60_000,
      })
    ).json().data;
    const first = await startWorkerProcess();
    const orphans = await waitFor(
      async () => {
        const processes = await sandboxProcesses(sandbox.id, executionId);
        return processes.length >= 2 ? processes : undefined;
      },
      { timeoutMs: 10_000, message: 'the first attempt to run' },
    );
    const exited = new Promise((resolve) => first.once('exit', resolve));
    first.kill('SIGKILL');
    await exited;
    // The first attempt's processes are detached: they outlive the worker.
    expect((await sandboxProcesses(sandbox.id, executionId)).length).toBeGreaterThan(0);

    const second = await startWorkerProcess();
    await waitFor(
      async () => (await app.sandbox.executions.get(sandbox.id, executionId))!.attempts === 2,
      { timeoutMs: 15_000, message: 'the second attempt' },
    );
    const live = (await sandboxProcesses(sandbox.id, executionId)).map((entry) => entry.pid);
    expect(live.filter((pid) => orphans.some((orphan) => orphan.pid === pid))).toEqual([]);
    const done = await waitFor(
      async () => {
        const execution = (await app.sandbox.executions.get(sandbox.id, executionId))!;
        return execution.state === 'completed' ? execution : undefined;
      },
      { timeoutMs: 15_000, message: 'the re-run to finish' },
    );
    expect(done.output).toMatchObject({ stdout: 'done\n' });
    second.kill('SIGTERM');
  }, 90_000); // above the sum of its bounded waits (15 + 10 + 15 + 15 + 15 s)
});
