import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { autoPauseDecision } from '../domain/auto-pause-policy.js';
import type { SandboxMetrics } from '../metrics/sandbox-metrics.js';
import { scheduleAutoPause } from '../runtime/queues.js';
import type { SandboxRuntime } from '../runtime/sandbox-runtime.js';
import type { AutoPauseJobData } from '../schemas/control.js';

/**
 * One tick of a sandbox's auto-pause check. Several workers may run ticks; the atomic transition
 * makes sure only one pause happens (a second one is refused as paused -> paused).
 */
export function createAutoPauseProcessor(deps: {
  runtime: SandboxRuntime;
  metrics: SandboxMetrics;
  log: Logger;
}) {
  const { runtime, metrics, log } = deps;
  return async (job: Job<AutoPauseJobData>): Promise<string> => {
    const sandbox = await runtime.sandboxes.get(job.data.sandboxId);
    if (!sandbox || sandbox.state === 'terminated') {
      await scheduleAutoPause(
        runtime.queues,
        job.data.sandboxId,
        runtime.settings.AUTO_PAUSE_CHECK_INTERVAL_MS,
        false,
      );
      return 'unscheduled';
    }
    if (sandbox.state !== 'active') return 'not-active';
    const policy = sandbox.settings.autoPause ?? {};
    const running = await runtime.executions.running(sandbox.id);
    const memoryBytes = policy.maxMemoryMb
      ? (await runtime.driver.usage(sandbox.id)).rssBytes
      : undefined;
    const decision = autoPauseDecision({
      now: Date.now(),
      state: sandbox.state,
      lastActivityAt: sandbox.lastActivityAt,
      clock: sandbox,
      running,
      memoryBytes,
      settings: policy,
    });
    if (!decision) return 'ok';
    // Decided on the read above: the pause applies only if nothing changed since (a resume and
    // pause, a request that counts as activity), or it would act on a stale picture.
    const onlyIf = {
      stateChangedAt: sandbox.stateChangedAt,
      lastActivityAtMost: decision.source === 'auto:idle' ? sandbox.lastActivityAt : undefined,
    };
    // Marked first: once the pause lands, a resume can come at once, and the next tick must
    // already know this execution has had its pause.
    if (decision.executionId)
      await runtime.executions.markLimitReported(sandbox.id, decision.executionId);
    const outcome = await runtime.operations.act(sandbox, 'pause', {
      actor: 'system',
      source: decision.source,
      reason: decision.reason,
      onlyIf,
    });
    metrics.operations.inc({
      operation: decision.source.replace(':', '_').replace('-', '_'),
      status: outcome.kind === 'ok' ? 'ok' : outcome.kind,
    });
    if (outcome.kind !== 'ok') {
      if (decision.executionId)
        await runtime.executions.clearLimitReported(sandbox.id, decision.executionId);
      return 'raced';
    }
    log.info(
      { sandboxId: sandbox.id, source: decision.source, reason: decision.reason },
      'sandbox auto-paused',
    );
    return decision.source;
  };
}
