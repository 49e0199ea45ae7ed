import { waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2EStack, startE2EStack } from './stack-fixture.js';

// Issue 7: a flag toggle via the LB changes sandbox-service behaviour within 1 s (on every
// sandbox instance: the in-process SDK of each applies the change from Redis pub/sub).
describe('flag toggle through HAProxy', () => {
  let e2e: E2EStack;
  let admin = '';
  let user = '';
  let sandboxId = '';

  beforeAll(async () => {
    e2e = await startE2EStack();
    admin = e2e.token('admin-flags', 'd-flags', 'admin');
    user = e2e.token('u-flags', 'd-flags');
    const created = await e2e.api<{ id: string }>('POST', '/api/sandbox', user, {
      name: 'e2e-flags',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    sandboxId = created.body.data?.id ?? '';
  });

  afterAll(async () => {
    await e2e?.close();
  });

  /** Asks as many times as there are sandbox instances, so round robin reaches each of them. */
  async function historyStatuses(): Promise<number[]> {
    const instances = e2e.stack.instances.filter(
      (instance) => instance.kind === 'sandbox-api',
    ).length;
    const statuses: number[] = [];
    for (let i = 0; i < instances * 2; i += 1)
      statuses.push((await e2e.api('GET', `/api/sandbox/${sandboxId}/pause-history`, user)).status);
    return statuses;
  }

  async function toggle(enabled: boolean) {
    const response = await e2e.api('POST', '/api/flags/SANDBOX_PAUSE_RESUME/toggle', admin, {
      enabled,
      reason: 'e2e',
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
  }

  it('turning SANDBOX_PAUSE_RESUME off answers 404 FEATURE_DISABLED on every instance within 1 s, and on again restores it', async () => {
    const before = await historyStatuses();
    expect(
      before.every((status) => status === 200),
      `every instance serves history first: ${before}`,
    ).toBe(true);

    await toggle(false);
    // From the toggle's answer (the change is stored and published) to every instance refusing.
    const offAt = Date.now();
    await waitFor(async () => (await historyStatuses()).every((status) => status === 404), {
      timeoutMs: 1000,
      intervalMs: 20,
      message: 'flag off everywhere within 1 s',
    });
    expect(Date.now() - offAt).toBeLessThan(1000);
    const disabled = await e2e.api('POST', `/api/sandbox/pause/${sandboxId}`, user, {});
    expect(disabled.status).toBe(404);
    expect(disabled.body.error?.code).toBe('FEATURE_DISABLED');

    await toggle(true);
    const onAt = Date.now();
    await waitFor(async () => (await historyStatuses()).every((status) => status === 200), {
      timeoutMs: 1000,
      intervalMs: 20,
      message: 'flag on everywhere within 1 s',
    });
    expect(Date.now() - onAt).toBeLessThan(1000);
    const paused = await e2e.api('POST', `/api/sandbox/pause/${sandboxId}`, user, {});
    expect(paused.status, JSON.stringify(paused.body)).toBe(200);
  });
});
