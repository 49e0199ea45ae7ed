import { SpanStatusCode, context, trace } from '@opentelemetry/api';
import { extractTraceContext } from '@switchboard/observability';
import { DelayedError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { executionActiveMs } from '../domain/auto-pause-policy.js';
import type { ExecutionRecord } from '../domain/execution-store.js';
import type { SandboxRecord } from '../domain/sandbox-store.js';
import type { SandboxMetrics } from '../metrics/sandbox-metrics.js';
import type { SandboxRuntime } from '../runtime/sandbox-runtime.js';
import type { ExecutionJobData } from '../schemas/control.js';
import type { ToolOutcome } from '../tools/tool.js';
import type { RunSlot, RunSlots } from './run-slots.js';
import type { SandboxStateApplier } from './sandbox-state-applier.js';

export interface ExecutionProcessorDeps {
  runtime: SandboxRuntime;
  metrics: SandboxMetrics;
  applier: SandboxStateApplier;
  log: Logger;
  /** Run slots and per-dealership shares (run-slots.ts); without it BullMQ's concurrency is all. */
  slots?: Pick<RunSlots, 'acquire'>;
  /** How soon a job whose dealership holds its whole share looks again. */
  tenantRecheckMs?: number;
  /** How soon a job that found its sandbox paused looks again. */
  pausedRecheckMs?: number;
  /** How often a running execution re-reads its sandbox's state (covers lost control messages). */
  reconcileMs?: number;
}

/**
 * Runs one queued execution. It never starts in a paused sandbox: such a job goes back to the
 * delayed set and is tried again until the sandbox is resumed (or terminated, which fails it).
 * The job's trace context continues here, so HTTP -> queue -> worker is one trace.
 */
export function createExecutionProcessor(deps: ExecutionProcessorDeps) {
  const { runtime, metrics, applier, log } = deps;
  const { executions, sandboxes, events, tools, driver, settings } = runtime;
  /** A step's event is committed with it (execution-store); this publishes it now. */
  const step = async (execution: ExecutionRecord, commit: () => Promise<void>) => {
    await events.markPending(execution.sandboxId);
    await commit();
    await events.relay(execution.sandboxId);
  };
  const tracer = trace.getTracer('sandbox-worker');

  async function finish(
    execution: ExecutionRecord,
    startedAt: number,
    pausedMsAtStart: number,
    outcome: ToolOutcome,
  ): Promise<void> {
    const finishedAt = Date.now();
    const sandbox = await sandboxes.get(execution.sandboxId);
    const activeMs = sandbox
      ? executionActiveMs({ startedAt, pausedMsAtStart }, sandbox, finishedAt)
      : finishedAt - startedAt;
    const durationMs = finishedAt - startedAt;
    const state = outcome.ok ? 'completed' : 'failed';
    await step(execution, () =>
      executions.finish(execution, {
        state,
        finishedAt,
        durationMs,
        activeMs,
        output: outcome.output,
        error: outcome.ok ? undefined : outcome.error,
      }),
    );
    await sandboxes.touch(execution.sandboxId, finishedAt);
    metrics.executions.inc({ tool: execution.tool, status: state });
    metrics.executionDuration.observe({ tool: execution.tool }, activeMs / 1000);
  }

  async function waitWhilePaused(sandboxId: string): Promise<string> {
    for (;;) {
      const current = await sandboxes.get(sandboxId);
      if (current?.state !== 'paused') return current?.state ?? 'gone';
      await new Promise((resolve) => setTimeout(resolve, deps.pausedRecheckMs ?? 200));
    }
  }

  async function run(job: Job<ExecutionJobData>, token: string | undefined): Promise<string> {
    const execution = await executions.get(job.data.sandboxId, job.data.executionId);
    if (!execution || execution.state === 'completed' || execution.state === 'failed')
      return 'skipped';
    const sandbox = await sandboxes.get(execution.sandboxId);
    if (!sandbox || sandbox.state === 'terminated' || sandbox.state === 'error') {
      const now = Date.now();
      await finish(execution, now, sandbox?.pausedMsTotal ?? 0, {
        ok: false,
        error: `sandbox is ${sandbox?.state ?? 'gone'}`,
      });
      return 'failed';
    }
    if (sandbox.state === 'paused') {
      // Look again soon after a short pause, less often during a long one (at most every 2 s).
      const base = deps.pausedRecheckMs ?? 200;
      const pausedFor = Date.now() - (sandbox.pausedAt ?? Date.now());
      await job.moveToDelayed(
        Date.now() + Math.min(2000, Math.max(base, Math.round(pausedFor / 10))),
        token,
      );
      throw new DelayedError();
    }

    let slot: RunSlot | undefined;
    if (deps.slots) {
      const granted = deps.slots.acquire(sandbox.dealershipId, sandbox.id);
      if (!granted) {
        // The dealership runs its share already: wait in the delayed set, holding nothing.
        await job.moveToDelayed(Date.now() + (deps.tenantRecheckMs ?? 250), token);
        throw new DelayedError();
      }
      slot = await granted;
    }
    try {
      return await runInSlot(execution, sandbox);
    } finally {
      slot?.release();
    }
  }

  async function runInSlot(execution: ExecutionRecord, sandbox: SandboxRecord): Promise<string> {
    // `running` here means a worker died mid-run and BullMQ handed us its job: end whatever that
    // attempt left behind (its processes are detached) so only one copy ever runs.
    if (execution.state === 'running')
      await driver.killExecution(execution.sandboxId, execution.id);
    const startedAt = Date.now();
    await step(execution, () =>
      executions.markRunning(execution, startedAt, sandbox.pausedMsTotal),
    );
    await sandboxes.touch(execution.sandboxId, startedAt);
    // A pause that landed after the check above: nothing has run yet, so wait for the resume
    // (tools that run in the worker, echo or read_file, would otherwise run in a paused sandbox).
    const gate = await waitWhilePaused(execution.sandboxId);
    if (gate !== 'active') {
      await finish(execution, startedAt, sandbox.pausedMsTotal, {
        ok: false,
        error: `sandbox is ${gate}`,
      });
      return 'failed';
    }

    // Apply the sandbox's current state now and then while this runs: a pause whose control
    // message was lost (subscriber reconnecting) still freezes the execution.
    // apply() logs its own failures and never rejects; the next tick is the retry.
    const reconcile = setInterval(
      () => void applier.apply(execution.sandboxId),
      deps.reconcileMs ?? 1000,
    );
    let outcome: ToolOutcome;
    try {
      const tool = tools.get(execution.tool);
      // The API refuses exec when it is off, but a worker decides for itself what it runs: a job
      // queued by an API configured differently (or written to the queue directly) is refused.
      outcome =
        tool?.requiresExec && !settings.SANDBOX_ALLOW_EXEC
          ? {
              ok: false,
              error: 'the exec tool is disabled on this worker (SANDBOX_ALLOW_EXEC=false)',
            }
          : tool
            ? await tool.run(
                {
                  driver,
                  sandboxId: execution.sandboxId,
                  executionId: execution.id,
                  timeoutMs: execution.timeoutMs,
                  maxOutputBytes: settings.EXECUTION_MAX_OUTPUT_BYTES,
                  network: sandbox.settings.network === true,
                  // A pause that landed between our state check and the spawn: freeze the new process now.
                  onSpawn: () => applier.apply(execution.sandboxId),
                },
                execution.input,
              )
            : { ok: false, error: `unknown tool ${execution.tool}` };
    } catch (error) {
      log.warn({ err: error, executionId: execution.id }, 'tool failed');
      outcome = { ok: false, error: (error as Error).message };
    } finally {
      clearInterval(reconcile);
    }
    await finish(execution, startedAt, sandbox.pausedMsTotal, outcome);
    return outcome.ok ? 'completed' : 'failed';
  }

  return (job: Job<ExecutionJobData>, token?: string) =>
    context.with(extractTraceContext(job.data.trace), () =>
      tracer.startActiveSpan(
        'sandbox.execution',
        {
          attributes: {
            'sandbox.id': job.data.sandboxId,
            'sandbox.execution_id': job.data.executionId,
          },
        },
        async (span) => {
          try {
            return await run(job, token);
          } catch (error) {
            if (!(error instanceof DelayedError))
              span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
            throw error;
          } finally {
            span.end();
          }
        },
      ),
    );
}
