import { waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2EStack, startE2EStack } from './stack-fixture.js';

interface Seen {
  event: string;
  data: Record<string, unknown>;
  at: number;
}

// Issue 7: a client on one instance receives sandbox.paused within 1 s after a pause through the
// LB; tool execute then answers 423 via the LB; resume, execute, and execution events arrive.
describe('pause and execute through HAProxy, events on every gateway', () => {
  let e2e: E2EStack;
  const dealership = 'd-pause';
  let user = '';
  let sandboxId = '';
  const seenBy = new Map<string, Seen[]>();

  beforeAll(async () => {
    e2e = await startE2EStack();
    user = e2e.token('u-pause', dealership);
    const created = await e2e.api<{ id: string }>('POST', '/api/sandbox', user, {
      name: 'e2e-pause',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    sandboxId = created.body.data?.id ?? '';

    // One client per gateway instance (round robin through HAProxy), each in the sandbox's room.
    const gateways = e2e.stack.instances.filter((instance) => instance.kind === 'gateway').length;
    for (let i = 0; i < gateways; i += 1) {
      const client = e2e.client(user);
      await client.connect();
      await client.subscribe(`sandbox:${sandboxId}`);
      const seen: Seen[] = [];
      seenBy.set(client.instanceId ?? `unknown-${i}`, seen);
      client.onAny((event, data) =>
        seen.push({ event, data: data as Record<string, unknown>, at: Date.now() }),
      );
    }
    expect(seenBy.size, 'one client on every gateway').toBe(gateways);
  });

  afterAll(async () => {
    await e2e?.close();
  });

  const eventOnAll = (
    event: string,
    match: (data: Record<string, unknown>) => boolean = () => true,
  ) =>
    [...seenBy.values()].every((seen) =>
      seen.some((entry) => entry.event === event && match(entry.data)),
    );

  it('delivers sandbox.paused to clients on every instance within 1 s of the pause', async () => {
    const started = Date.now();
    const paused = await e2e.api('POST', `/api/sandbox/pause/${sandboxId}`, user, {
      reason: 'e2e maintenance',
    });
    expect(paused.status, JSON.stringify(paused.body)).toBe(200);
    await waitFor(() => eventOnAll('sandbox.paused', (data) => data['sandboxId'] === sandboxId), {
      timeoutMs: 1000 - (Date.now() - started),
      message: 'sandbox.paused on every gateway within 1 s',
    });
    for (const seen of seenBy.values()) {
      const entry = seen.find((s) => s.event === 'sandbox.paused');
      expect((entry?.at ?? Infinity) - started).toBeLessThan(1000);
      expect(entry?.data).toMatchObject({
        sandboxId,
        dealershipId: dealership,
        state: 'paused',
        reason: 'e2e maintenance',
      });
    }
  });

  it('answers 423 RESOURCE_LOCKED to a tool execution while paused', async () => {
    const locked = await e2e.api('POST', `/api/sandbox/${sandboxId}/tools/execute`, user, {
      tool: 'echo',
      input: { message: 'hi' },
    });
    expect(locked.status).toBe(423);
    expect(locked.body).toMatchObject({
      success: false,
      error: {
        code: 'RESOURCE_LOCKED',
        details: { sandboxId, state: 'paused', pauseReason: 'e2e maintenance' },
      },
    });
    expect(typeof locked.body.error?.details?.['pausedAt']).toBe('string');
  });

  it('resumes, executes, and delivers the execution events', async () => {
    const resumed = await e2e.api('POST', `/api/sandbox/resume/${sandboxId}`, user, {});
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(200);
    await waitFor(() => eventOnAll('sandbox.resumed'), {
      timeoutMs: 2000,
      message: 'sandbox.resumed everywhere',
    });

    const accepted = await e2e.api<{ executionId: string }>(
      'POST',
      `/api/sandbox/${sandboxId}/tools/execute`,
      user,
      {
        tool: 'echo',
        input: { message: 'hello through haproxy' },
      },
    );
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const executionId = accepted.body.data?.executionId;
    expect(executionId).toBeTruthy();
    const ofThisExecution = (data: Record<string, unknown>) => data['executionId'] === executionId;
    await waitFor(
      () =>
        eventOnAll('sandbox.execution.started', ofThisExecution) &&
        eventOnAll('sandbox.execution.completed', ofThisExecution),
      {
        timeoutMs: 15_000,
        message: 'execution started and completed events on every gateway',
      },
    );

    const status = await e2e.api<{ state: string }>(
      'GET',
      `/api/sandbox/${sandboxId}/executions/${executionId}`,
      user,
    );
    expect(status.status).toBe(200);
    expect(JSON.stringify(status.body.data)).toContain('hello through haproxy');
  });
});
