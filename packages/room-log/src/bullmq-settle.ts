/** How long a close waits for BullMQ's start-up check: Redis may be down, and then it never ends. */
const SETTLE_MS = 1000;

/**
 * Lets a BullMQ queue or worker finish its start-up check (the Redis version, read once after
 * construction) before it is closed: a close during that check makes the check fail after its
 * listeners are gone, an unhandled rejection. Bounded, because with Redis down the check waits
 * for a connection that may never come.
 */
export async function settleBeforeClose(bull: {
  waitUntilReady(): Promise<unknown>;
}): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    bull.waitUntilReady().catch(() => undefined),
    new Promise((resolve) => {
      timer = setTimeout(resolve, SETTLE_MS);
    }),
  ]);
  clearTimeout(timer);
}
