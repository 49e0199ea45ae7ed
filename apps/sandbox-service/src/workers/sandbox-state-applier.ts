import type { Logger } from 'pino';
import type { SandboxMetrics } from '../metrics/sandbox-metrics.js';
import type { SandboxRecord } from '../domain/sandbox-store.js';
import type { SandboxRuntime } from '../runtime/sandbox-runtime.js';
import type { RunSlots } from './run-slots.js';

export type SandboxStateApplier = ReturnType<typeof createSandboxStateApplier>;

/**
 * Makes this host's processes of a sandbox match its state in Redis: paused or error -> frozen,
 * active -> running, terminated or gone -> killed and removed. It reads the state instead of
 * trusting a message's verb, so duplicated, reordered or lost messages still converge; calls
 * for one sandbox run one after another. A freeze or thaw the driver cannot confirm moves the
 * sandbox to `error` (its history says why): a sandbox that is neither reliably paused nor
 * reliably running must not look like either.
 */
export function createSandboxStateApplier(
  runtime: SandboxRuntime,
  log: Logger,
  metrics?: Pick<SandboxMetrics, 'driverFailures'>,
  slots?: Pick<RunSlots, 'setFrozen'>,
) {
  const chains = new Map<string, Promise<void>>();

  async function fail(sandbox: SandboxRecord, operation: string, error: unknown) {
    metrics?.driverFailures.inc({ operation });
    const reason = `${operation} failed: ${(error as Error).message}`.slice(0, 500);
    log.error({ err: error, sandboxId: sandbox.id, operation }, 'sandbox driver failure');
    await runtime.operations.act(sandbox, 'fail', { actor: 'system', source: 'worker', reason });
  }

  async function applyNow(sandboxId: string): Promise<void> {
    const sandbox = await runtime.sandboxes.get(sandboxId);
    if (!sandbox || sandbox.state === 'terminated') {
      slots?.setFrozen(sandboxId, false);
      await runtime.driver.destroy(sandboxId);
      return;
    }
    const freeze = sandbox.state === 'paused' || sandbox.state === 'error';
    try {
      if (freeze) {
        const { frozen } = await runtime.driver.pause(sandboxId);
        // Frozen executions hold no run slot: another dealership's work may start now.
        slots?.setFrozen(sandboxId, true);
        if (frozen > 0) log.debug({ sandboxId, frozen }, 'sandbox processes frozen');
      } else {
        slots?.setFrozen(sandboxId, false);
        await runtime.driver.resume(sandboxId);
      }
    } catch (error) {
      // An error sandbox that cannot even be frozen stays in error; nothing more to record.
      if (sandbox.state !== 'error') await fail(sandbox, freeze ? 'freeze' : 'thaw', error);
      else throw error;
    }
  }

  function apply(sandboxId: string): Promise<void> {
    const next = (chains.get(sandboxId) ?? Promise.resolve())
      .then(() => applyNow(sandboxId))
      .catch((error: unknown) => {
        log.error({ err: error, sandboxId }, 'could not apply sandbox state to its processes');
      });
    chains.set(sandboxId, next);
    // `next` never rejects (the catch above logs), so this clean-up cannot fail.
    void next.then(() => {
      if (chains.get(sandboxId) === next) chains.delete(sandboxId);
    });
    return next;
  }

  return { apply };
}
