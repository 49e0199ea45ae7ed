import { createKeyspace } from '@switchboard/keyspace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2EStack, startE2EStack } from './stack-fixture.js';

// Issue 7: the BullMQ dashboard (@bull-board/fastify) at /admin/queues, behind admin auth,
// routed by HAProxy, showing every queue (tool executions, auto-pause, queued deliveries).
describe('the BullMQ dashboard through HAProxy', () => {
  let e2e: E2EStack;

  beforeAll(async () => {
    e2e = await startE2EStack();
  });

  afterAll(async () => {
    await e2e?.close();
  });

  it('refuses callers without a token and non-admins', async () => {
    expect((await fetch(`${e2e.lb}/admin/queues`)).status).toBe(401);
    const user = await fetch(`${e2e.lb}/admin/queues`, {
      headers: { authorization: `Bearer ${e2e.token('u-board', 'd-board')}` },
    });
    expect(user.status).toBe(403);
  });

  it('serves the dashboard to admins and lists every queue of every service', async () => {
    const headers = { authorization: `Bearer ${e2e.token('a-board', 'd-board', 'admin')}` };
    const page = await fetch(`${e2e.lb}/admin/queues`, { headers });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');

    const api = await fetch(`${e2e.lb}/admin/queues/api/queues`, { headers });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: { name: string }[] };
    const names = body.queues.map((queue) => queue.name);
    const queues = createKeyspace(e2e.keyPrefix).queues;
    expect(names).toEqual(
      expect.arrayContaining([
        queues.sandboxExecutions,
        queues.sandboxAutoPause,
        queues.offlineDeliveries,
      ]),
    );
  });
});
