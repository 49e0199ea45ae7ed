/**
 * Run slots of one worker process, separate from BullMQ's concurrency. BullMQ may hold more jobs
 * than there are slots (a frozen execution keeps its job and lock, so a crash is still noticed),
 * but only running executions count here:
 * - at most `capacity` run at once (WORKER_CONCURRENCY);
 * - one dealership holds at most `tenantMax` of them (SANDBOX_TENANT_MAX_SHARE of capacity, at
 *   least one); an execution over its dealership's share is not admitted (the job goes back to
 *   the delayed set, so it holds nothing while it waits);
 * - others wait here first come, first served;
 * - a paused sandbox's executions give their slots back while frozen and take them again when
 *   thawed (possibly over capacity for a moment: a thawed process runs whatever we count).
 */
export interface RunSlot {
  release(): void;
}

interface Holder {
  tenant: string;
  sandboxId: string;
  suspended: boolean;
}

export type RunSlots = ReturnType<typeof createRunSlots>;

export function createRunSlots(options: { capacity: number; tenantShare: number }) {
  const capacity = options.capacity;
  const tenantMax = Math.max(1, Math.floor(capacity * options.tenantShare));
  const holders = new Set<Holder>();
  /** Sandboxes this worker froze: an execution admitted for one starts without a slot. */
  const frozenSandboxes = new Set<string>();
  const waiting: Array<{ holder: Holder; grant: () => void }> = [];

  const running = () => [...holders].filter((holder) => !holder.suspended);
  const runningOf = (tenant: string) =>
    running().filter((holder) => holder.tenant === tenant).length +
    waiting.filter((entry) => entry.holder.tenant === tenant).length;

  function admitWaiting(): void {
    while (waiting.length > 0 && running().length < capacity) {
      const next = waiting.shift()!;
      holders.add(next.holder);
      next.grant();
    }
  }

  function slotOf(holder: Holder): RunSlot {
    return {
      release: () => {
        holders.delete(holder);
        admitWaiting();
      },
    };
  }

  return {
    tenantMax,
    /**
     * A slot for an execution of `tenant`, once one is free; undefined at once when the tenant
     * already holds (or waits for) its share.
     */
    acquire(tenant: string, sandboxId: string): Promise<RunSlot> | undefined {
      if (frozenSandboxes.has(sandboxId)) {
        const holder: Holder = { tenant, sandboxId, suspended: true };
        holders.add(holder);
        return Promise.resolve(slotOf(holder));
      }
      if (runningOf(tenant) >= tenantMax) return undefined;
      const holder: Holder = { tenant, sandboxId, suspended: false };
      if (waiting.length === 0 && running().length < capacity) {
        holders.add(holder);
        return Promise.resolve(slotOf(holder));
      }
      return new Promise((resolve) => {
        waiting.push({ holder, grant: () => resolve(slotOf(holder)) });
      });
    },
    /** The sandbox is frozen (or running again): its executions give back (or retake) their slots. */
    setFrozen(sandboxId: string, frozen: boolean): void {
      if (frozen) frozenSandboxes.add(sandboxId);
      else frozenSandboxes.delete(sandboxId);
      for (const holder of holders) if (holder.sandboxId === sandboxId) holder.suspended = frozen;
      if (!frozen) return;
      // Its queued executions need no slot to wait for the resume either.
      for (const entry of waiting.filter((item) => item.holder.sandboxId === sandboxId)) {
        waiting.splice(waiting.indexOf(entry), 1);
        entry.holder.suspended = true;
        holders.add(entry.holder);
        entry.grant();
      }
      admitWaiting();
    },
    running: () => running().length,
  };
}
