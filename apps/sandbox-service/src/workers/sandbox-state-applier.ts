import type { Logger } from 'pino';
import type { SandboxRuntime } from '../runtime/sandbox-runtime.js';

export type SandboxStateApplier = ReturnType<typeof createSandboxStateApplier>;

/**
 * Makes this host's processes of a sandbox match its state in Redis: paused or error -> frozen,
 * active -> running, terminated or gone -> killed and removed. It reads the state instead of
 * trusting a message's verb, so duplicated, reordered or lost messages still converge; calls
 * for one sandbox run one after another.
 */
export function createSandboxStateApplier(runtime: SandboxRuntime, log: Logger) {
  const chains = new Map<string, Promise<void>>();

  async function applyNow(sandboxId: string): Promise<void> {
    const sandbox = await runtime.sandboxes.get(sandboxId);
    if (!sandbox || sandbox.state === 'terminated') {
      await runtime.driver.destroy(sandboxId);
    } else if (sandbox.state === 'paused' || sandbox.state === 'error') {
      const { frozen } = await runtime.driver.pause(sandboxId);
      if (frozen > 0) log.debug({ sandboxId, frozen }, 'sandbox processes frozen');
    } else {
      await runtime.driver.resume(sandboxId);
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
