import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '@switchboard/auth';
import { repoRoot } from '../src/index.js';
import { launchChromium } from './chromium.js';
import { type E2EStack, startE2EStack } from './stack-fixture.js';

const artifacts = join(repoRoot, 'test-artifacts');

async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [join(import.meta.dirname, 'browser', 'live-page.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@switchboard/source'],
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

function pageHtml(script: string, config: { url: string; token: string; room: string }): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Switchboard live room</title>
<style>body{font:14px system-ui;margin:24px}li{font-family:monospace;margin:4px 0}#status{font-weight:bold}</style></head>
<body><h1>Room ${config.room}</h1><p>connection: <span id="status">idle</span>, gateway <span id="instance"></span></p>
<ul id="events"></ul>
<script>window.SWITCHBOARD = ${JSON.stringify(config)};</script><script>${script.replace(/<\/script/g, '<\\/script')}</script></body></html>`;
}

// Issue 7: a real browser (headless Chromium) bundles @switchboard/client, connects through
// HAProxy, shows live sandbox events; a pause through the LB updates the page; screenshot saved.
describe('a real browser through HAProxy', () => {
  let e2e: E2EStack;
  let browser: Browser;

  beforeAll(async () => {
    e2e = await startE2EStack();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await e2e?.close();
  });

  it('shows sandbox.paused live after a pause through the load balancer', async () => {
    const token = e2e.token('u-browser', 'd-browser');
    const created = await e2e.api<{ id: string }>('POST', '/api/sandbox', token, {
      name: 'browser',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const sandboxId = created.body.data?.id ?? '';

    const page = await browser.newPage({ viewport: { width: 1100, height: 500 } });
    await page.setContent(
      pageHtml(await bundlePage(), { url: e2e.ws, token, room: `sandbox:${sandboxId}` }),
    );
    await page.waitForSelector('body[data-subscribed="true"]', { timeout: 15_000 });
    expect(await page.textContent('#status')).toBe('open');

    const paused = await e2e.api('POST', `/api/sandbox/pause/${sandboxId}`, token, {
      reason: 'paused from the e2e test',
    });
    expect(paused.status, JSON.stringify(paused.body)).toBe(200);
    const item = await page.waitForSelector('li[data-event="sandbox.paused"]', { timeout: 5000 });
    expect(await item.textContent()).toContain('paused from the e2e test');

    mkdirSync(artifacts, { recursive: true });
    const file = join(artifacts, 'browser-live-update.png');
    await page.screenshot({ path: file, fullPage: true });
  });

  it('shows an event published with curl through the server API behind HAProxy', async () => {
    const token = e2e.token('u-curl', 'd-curl');
    const page = await browser.newPage({ viewport: { width: 1100, height: 400 } });
    await page.setContent(
      pageHtml(await bundlePage(), { url: e2e.ws, token, room: 'project:web' }),
    );
    await page.waitForSelector('body[data-subscribed="true"]', { timeout: 15_000 });

    const service = mintToken(
      { sub: 'ci', dealershipId: 'd-curl', role: 'service', scope: ['publish'], jti: 'e2e-ci' },
      { secret: e2e.secret },
    );
    const body = JSON.stringify({
      room: 'project:web',
      event: 'pr.created',
      data: { prId: 'web#7', title: 'Published with curl' },
    });
    const curl = spawnSync(
      'curl',
      [
        '-sS',
        '-X',
        'POST',
        `${e2e.lb}/api/realtime/publish`,
        '-H',
        `authorization: Bearer ${service}`,
        '-H',
        'content-type: application/json',
        '-d',
        body,
      ],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(curl.stdout)).toMatchObject({
      success: true,
      data: { room: 'project:web', seq: 1 },
    });
    const item = await page.waitForSelector('li[data-event="pr.created"]', { timeout: 5000 });
    expect(await item.textContent()).toContain('Published with curl');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({
      path: join(artifacts, 'browser-server-api-publish.png'),
      fullPage: true,
    });
  });
});
