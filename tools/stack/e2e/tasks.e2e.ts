import { type AgentTask, createAgent } from '@switchboard/client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { launchChromium } from './chromium.js';
import { type E2EStack, startE2EStack } from './stack-fixture.js';

const DEALERSHIP = 'd-tasks';

interface History {
  entries: Array<{
    action: string;
    agentId?: string;
    reason?: string | null;
    delegatedFrom?: string;
  }>;
  delegationChain: string[];
}

// Agent tasks end to end, through HAProxy only: two SDK agents on WebSockets, tasks created over
// HTTP, a rejection handed to the other agent, a delegation to another capability, and the
// operator console's Tasks board following it all live.
describe('agent tasks through HAProxy', () => {
  let e2e: E2EStack;
  let browser: Browser;
  let page: Page;
  let admin: string;
  const agents: Array<{ close(): void }> = [];

  const agent = (id: string, capabilities: string[], decline?: (task: AgentTask) => boolean) => {
    const created = createAgent({
      url: e2e.ws,
      apiUrl: e2e.lb,
      token: e2e.token(id, DEALERSHIP, 'agent'),
      capabilities,
      maxConcurrent: 2,
      WebSocket: WebSocket as never,
      reconnect: { initialDelayMs: 100, maxDelayMs: 500 },
      ...(decline
        ? {
            shouldAccept: (task: AgentTask) =>
              decline(task) ? { accept: false as const, reason: 'not for me' } : true,
          }
        : {}),
    });
    agents.push(created);
    return created;
  };
  const createTask = async (body: Record<string, unknown>) => {
    const created = await e2e.api<AgentTask>('POST', '/api/tasks', admin, {
      capability: 'summarize',
      ...body,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.data!;
  };
  /** Polls `read` every 100 ms until `done` holds (bounded: 15 s). */
  const until = async <T>(read: () => Promise<T>, done: (value: T) => boolean, what: string) => {
    for (const end = Date.now() + 15_000; Date.now() < end;) {
      const value = await read();
      if (done(value)) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${what} within 15 s`);
  };
  const settled = async (id: string) =>
    (
      await until(
        () => e2e.api<AgentTask>('GET', `/api/tasks/${id}`, admin),
        (read) => read.body.data?.state === 'completed',
        `task ${id} did not complete`,
      )
    ).body.data!;
  const history = async (id: string) =>
    (await e2e.api<History>('GET', `/api/tasks/${id}/history`, admin)).body.data!;
  const card = (id: string, state: string) =>
    page.locator(`section[aria-labelledby="col-${state}"] li[data-task="${id}"]`);

  beforeAll(async () => {
    e2e = await startE2EStack();
    browser = await launchChromium();
    admin = e2e.token('ops-tasks', DEALERSHIP, 'admin');
    page = await (await browser.newContext()).newPage();
    await page.goto(`${e2e.stack.urls.console}#token=${admin}`);
    await page.getByTestId('connection-state').getByText('live').waitFor({ timeout: 15_000 });
    await page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('link', { name: 'Tasks' })
      .click();
    await page.getByRole('list', { name: 'Tasks by state' }).waitFor();
    // Survives only while the page is not reloaded: the board must change by itself.
    await page.evaluate(() => Object.assign(window, { tasksE2eMarker: true }));
  });

  afterAll(async () => {
    for (const each of agents) each.close();
    await browser?.close();
    await e2e?.close();
  });

  it('rejects, reassigns, delegates and completes, and the board follows live', async () => {
    const runs: Array<[string, string]> = [];
    const summarizer = agent('summarizer-1', ['summarize'], (task) =>
      Boolean((task.input as { decline?: boolean }).decline),
    );
    await summarizer.onTask(async (task, ctx) => {
      runs.push(['summarizer-1', task.id]);
      if ((task.input as { handOff?: boolean }).handOff)
        return ctx.delegate({ capability: 'translate', reason: 'needs translation' });
      return { summary: `summary of ${task.title}` };
    });
    await page.locator('tr[data-agent="summarizer-1"]').waitFor({ timeout: 5000 });

    // Only the summarizer is online: it is offered the task and declines it.
    const declined = await createTask({ title: 'declined call', input: { decline: true } });
    await until(
      () => history(declined.id),
      ({ entries }) => entries.some((entry) => entry.action === 'reject'),
      'the summarizer did not reject',
    );
    await card(declined.id, 'pending').waitFor({ timeout: 5000 });

    // The translator (both capabilities) comes online and is offered the declined task.
    const translator = agent('translator-1', ['summarize', 'translate']);
    await translator.onTask(async (task) => {
      runs.push(['translator-1', task.id]);
      return { translated: task.title.toUpperCase() };
    });
    const reassigned = await settled(declined.id);
    expect(reassigned.assignee).toBe('translator-1');
    expect(reassigned.result).toEqual({ translated: 'DECLINED CALL' });
    await card(declined.id, 'completed').waitFor({ timeout: 5000 });

    // Sent to the summarizer, which hands it to the translate capability.
    const handed = await createTask({
      title: 'french call',
      input: { handOff: true },
      assignTo: 'summarizer-1',
    });
    const sent = Date.now();
    await page.locator(`li[data-task="${handed.id}"]`).waitFor({ timeout: 5000 });
    await card(handed.id, 'completed').waitFor({ timeout: 10_000 });
    console.warn(`[tasks e2e] delegated task shown completed after ${Date.now() - sent} ms`);
    const delegated = await settled(handed.id);
    expect(delegated.assignee).toBe('translator-1');
    expect(delegated.capability).toBe('translate');
    expect(delegated.result).toEqual({ translated: 'FRENCH CALL' });

    const rejection = await history(declined.id);
    expect(rejection.entries.map((e) => e.action)).toContain('reject');
    expect(rejection.entries.find((e) => e.action === 'reject')).toMatchObject({
      agentId: 'summarizer-1',
      reason: 'not for me',
    });
    const chain = await history(handed.id);
    expect(chain.entries.find((e) => e.action === 'delegate')).toMatchObject({
      delegatedFrom: 'summarizer-1',
      agentId: 'translator-1',
    });
    expect(chain.delegationChain).toEqual(['summarizer-1', 'translator-1']);
    expect(runs).toEqual([
      ['translator-1', declined.id],
      ['summarizer-1', handed.id],
      ['translator-1', handed.id],
    ]);

    expect(await page.evaluate(() => 'tasksE2eMarker' in window)).toBe(true);
    await page.locator('tr[data-agent="translator-1"]').waitFor();
    expect(
      await page.locator('section[aria-labelledby="col-completed"] li[data-task]').count(),
    ).toBe(2);
  }, 30_000);
});
