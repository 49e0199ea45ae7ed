import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createKeyspace } from '@switchboard/keyspace';
import { createPublisher } from '@switchboard/room-log';
import { Redis } from 'ioredis';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../src/index.js';
import {
  agentsFixture,
  gatewayStatsFixture,
  tasksFixture,
} from '../../../apps/console/fixtures/contracts.js';
import { launchChromium } from './chromium.js';
import { type E2EStack, startE2EStack } from './stack-fixture.js';

const DEALERSHIP = 'd-console';
const FLAG = 'CONSOLE_DEMO';
const artifacts = join(repoRoot, 'test-artifacts', 'console');
const SIZES = {
  desktop: { width: 1280, height: 800 },
  mobile: { width: 390, height: 844 },
} as const;

// The operator console (apps/console) in headless Chromium against the real stack, through
// HAProxy only: two operators side by side see each other's changes live.
describe('the console through HAProxy', () => {
  let e2e: E2EStack;
  let browser: Browser;
  let redis: Redis;
  let admin: string;
  let one: { context: BrowserContext; page: Page };
  let two: { context: BrowserContext; page: Page };
  const sandboxIds: string[] = [];

  const signIn = async (token: string) => {
    const context = await browser.newContext({ viewport: SIZES.desktop });
    const page = await context.newPage();
    await page.goto(`${e2e.stack.urls.console}#token=${token}`);
    await page.getByTestId('connection-state').getByText('live').waitFor({ timeout: 15_000 });
    return { context, page };
  };
  const openView = async (page: Page, name: string) => {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name }).click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
  };
  const screenshot = async (page: Page, view: string) => {
    mkdirSync(artifacts, { recursive: true });
    for (const [size, viewport] of Object.entries(SIZES)) {
      await page.setViewportSize(viewport);
      await page.screenshot({
        path: join(artifacts, `${view}-${size}.png`),
        fullPage: size === 'desktop',
      });
    }
    await page.setViewportSize(SIZES.desktop);
  };

  beforeAll(async () => {
    e2e = await startE2EStack();
    redis = new Redis(e2e.redis.url);
    browser = await launchChromium();
    admin = e2e.token('ops-1', DEALERSHIP, 'admin');
    for (const name of ['build box', 'review box', 'nightly tests']) {
      const created = await e2e.api<{ id: string }>('POST', '/api/sandbox', admin, { name });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      sandboxIds.push(created.body.data!.id);
    }
    const flag = await e2e.api('POST', '/api/flags', admin, {
      key: FLAG,
      description: 'Shows the new checkout to a share of dealerships',
      enabled: false,
      variants: { on: true, off: false },
      defaultVariant: 'on',
      rules: [
        {
          constraints: [{ attribute: 'environment', operator: 'equals', value: 'prod' }],
          rollout: {
            variants: [
              { variant: 'on', weight: 20 },
              { variant: 'off', weight: 80 },
            ],
          },
        },
      ],
    });
    expect(flag.status, JSON.stringify(flag.body)).toBe(201);
    one = await signIn(admin);
    two = await signIn(e2e.token('ops-2', DEALERSHIP, 'admin'));
  });

  afterAll(async () => {
    await browser?.close();
    redis?.disconnect();
    await e2e?.close();
  });

  it('sends a visitor without a token to the token screen, and a bad token back to it', async () => {
    const context = await browser.newContext({ viewport: SIZES.desktop });
    const page = await context.newPage();
    await page.goto(e2e.stack.urls.console);
    await page.getByLabel('Access token (JWT)').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This is not a JWT').waitFor();
    await screenshot(page, 'token-screen');
    // A well-formed token the services refuse (another secret): 401 -> the token screen again.
    const forged = `${admin.split('.').slice(0, 2).join('.')}.c2lnbmF0dXJl`;
    await page.getByLabel('Access token (JWT)').fill(forged);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('401 UNAUTHORIZED').waitFor({ timeout: 10_000 });
    await context.close();
  });

  it('pauses a sandbox from Fleet and a second operator sees it paused within 1 s', async () => {
    const id = sandboxIds[0]!;
    const rowIn = (page: Page, state: string) =>
      page.locator(`tr[data-sandbox="${id}"][data-state="${state}"]`);
    await rowIn(one.page, 'active').waitFor();
    await rowIn(two.page, 'active').waitFor();
    await one.page.getByLabel('Reason (for pause / resume)').fill('maintenance window');
    const started = Date.now();
    await rowIn(one.page, 'active').getByRole('button', { name: 'Pause' }).click();
    await rowIn(two.page, 'paused').waitFor({ timeout: 1000 });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(1000);
    expect(await rowIn(two.page, 'paused').textContent()).toContain('maintenance window');
    console.warn(`[console e2e] pause seen by the second operator after ${elapsed} ms`);
  });

  it('shows a tool run on a paused sandbox as "paused — resume to run"', async () => {
    const id = sandboxIds[0]!;
    await one.page
      .locator(`tr[data-sandbox="${id}"]`)
      .getByRole('button', { name: 'build box' })
      .click();
    await one.page.getByRole('button', { name: 'Run echo' }).click();
    await one.page.getByText('Paused — resume to run.').waitFor();
    await one.page.getByText('RESOURCE_LOCKED · HTTP 423').waitFor();
    await one.page.getByText('maintenance window').first().waitFor();
    await screenshot(one.page, 'fleet');
  });

  it('pauses several sandboxes at once (bulk) and reports each result', async () => {
    await one.page.getByRole('button', { name: 'Close details' }).click();
    await one.page.getByLabel('Select all').check();
    await one.page.getByRole('button', { name: 'Pause selected' }).click();
    await one.page.getByTestId('bulk-summary').getByText('2 done, 1 failed').waitFor();
    for (const id of sandboxIds)
      await two.page.locator(`tr[data-sandbox="${id}"][data-state="paused"]`).waitFor();
  });

  it('toggles a flag and the second operator sees the change live', async () => {
    await openView(one.page, 'Flags');
    await openView(two.page, 'Flags');
    const row = (page: Page, enabled: boolean) =>
      page.locator(`tr[data-flag="${FLAG}"][data-enabled="${enabled}"]`);
    await row(two.page, false).waitFor();
    await one.page.getByLabel('Reason (recorded in the audit)').fill('launch to prod');
    await one.page.getByRole('switch', { name: `${FLAG} enabled` }).click();
    await row(two.page, true).waitFor({ timeout: 2000 });
    await two.page
      .getByTestId('last-flag-change')
      .getByText(`${FLAG} v2 toggled by ops-1`)
      .waitFor();

    await one.page.getByRole('button', { name: FLAG }).click();
    await one.page.getByText('v2 toggled by ops-1').waitFor();
    await one.page.getByText('/enabled').first().waitFor();
    await screenshot(one.page, 'flags');
  });

  it('streams an event published to a room into Live events, with seq and JSON detail', async () => {
    await openView(one.page, 'Live events');
    await one.page
      .locator(`li[data-room="dealership:${DEALERSHIP}"][data-subscribed="true"]`)
      .waitFor();
    const publisher = createPublisher(redis, { keyspace: createKeyspace(e2e.keyPrefix) });
    await publisher.publish({
      room: `dealership:${DEALERSHIP}`,
      dealershipId: DEALERSHIP,
      event: 'project.created',
      data: { projectId: 'p-console', name: 'Published from the e2e test' },
    });
    const row = one.page.locator('tr[data-event="project.created"]');
    await row.waitFor({ timeout: 5000 });
    await row.getByRole('button', { name: 'project.created' }).click();
    await one.page.getByTestId('event-json').getByText('Published from the e2e test').waitFor();

    // Pause the view: a new event is held (counted on the button), shown on resume.
    await one.page.getByRole('button', { name: 'Pause view' }).click();
    await publisher.publish({
      room: `dealership:${DEALERSHIP}`,
      dealershipId: DEALERSHIP,
      event: 'project.updated',
      data: { projectId: 'p-console', changes: { name: 'held while paused' } },
    });
    await one.page.getByRole('button', { name: 'Resume view (1 new)' }).waitFor({ timeout: 5000 });
    expect(await one.page.locator('tr[data-event="project.updated"]').count()).toBe(0);
    await one.page.getByRole('button', { name: 'Resume view (1 new)' }).click();
    await one.page.locator('tr[data-event="project.updated"]').waitFor();
    await one.page.locator('tr[data-event="project.created"]').getByRole('button').click();
    await screenshot(one.page, 'live-events');
  });

  it('shows the move to another gateway and the resume, with no gap, in Live events', async () => {
    const log = one.page.getByTestId('connection-log');
    const first =
      (await log
        .getByText(/connected to gateway-\d/)
        .first()
        .textContent()) ?? '';
    const gateway = /gateway-\d/.exec(first)?.[0] ?? '';
    expect(gateway).not.toBe('');
    await e2e.stack.restartInstance(gateway);
    await log
      .getByText(`resumed dealership:${DEALERSHIP}: replayed`, { exact: false })
      .first()
      .waitFor({ timeout: 20_000 });
    expect(await log.textContent()).toContain('gaps: none');
    await one.page.getByTestId('connection-state').getByText('live').waitFor();
    await screenshot(one.page, 'live-events-resumed');
  }, 90_000);

  it('shows the gateways (or says in words that the stats endpoint is missing)', async () => {
    await openView(one.page, 'Gateways');
    const stats = await e2e.api('GET', '/api/v1/websocket/stats', admin);
    if (stats.status === 404) {
      await one.page.getByText('no gateway stats endpoint yet').waitFor();
    } else {
      expect(stats.status).toBe(200);
      await one.page.locator('tr[data-instance]').first().waitFor();
    }
    await screenshot(one.page, 'gateways');
  });

  it('marks a gateway draining during a rolling restart', async (context) => {
    const stats = await e2e.api('GET', '/api/v1/websocket/stats', admin);
    if (stats.status === 404) context.skip('GET /api/v1/websocket/stats is not deployed here');
    const restart = e2e.stack.restartInstance('gateway-1');
    await one.page.locator('tr[data-instance="gateway-1"][data-draining="true"]').waitFor({
      timeout: 15_000,
    });
    await restart;
  }, 90_000);

  it('shows the tasks board (or says in words that the tasks API is missing)', async () => {
    await openView(one.page, 'Tasks');
    const tasks = await e2e.api('GET', '/api/tasks', admin);
    if (tasks.status === 404) await one.page.getByText('no agent tasks API yet').waitFor();
    else await one.page.getByRole('list', { name: 'Tasks by state' }).waitFor();
    await screenshot(one.page, 'tasks');
  });

  // Fixed answers of exactly the APIs' shapes (route-fulfilled in the page), so the two views'
  // screenshots show busy instances and every task state whatever the live stack holds.
  it('previews Gateways and Tasks on contract-shaped answers', async () => {
    const context = await browser.newContext({ viewport: SIZES.desktop });
    let reading = 0;
    const json = (data: unknown) => ({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ success: true, data }),
    });
    await context.route('**/api/v1/websocket/stats', (route) =>
      route.fulfill(
        json(gatewayStatsFixture((reading += 1), Date.now() - 20_000 + reading * 2000)),
      ),
    );
    await context.route('**/api/tasks?*', (route) => route.fulfill(json(tasksFixture)));
    await context.route('**/api/agents', (route) => route.fulfill(json(agentsFixture)));
    const page = await context.newPage();
    await page.goto(`${e2e.stack.urls.console}#token=${admin}`);
    await openView(page, 'Gateways');
    await page.locator('tr[data-instance="gateway-3"][data-draining="true"]').waitFor({
      timeout: 20_000,
    });
    await page.getByText('6 samples', { exact: false }).waitFor({ timeout: 20_000 });
    await screenshot(page, 'gateways-preview');
    await openView(page, 'Tasks');
    await page.getByRole('list', { name: 'Tasks by state' }).waitFor();
    await screenshot(page, 'tasks-preview');
    await context.close();
  }, 60_000);
});
