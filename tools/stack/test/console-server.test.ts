import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleServer, startConsoleServer } from '../src/console-server.js';

describe('the console static server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-console-'));
  let server: ConsoleServer;
  let missing: ConsoleServer;

  beforeAll(async () => {
    mkdirSync(join(dir, 'dist', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(dir, 'dist', 'assets', 'app-1a2b.js'), 'console.log(1)');
    writeFileSync(join(dir, 'secret.txt'), 'outside');
    server = await startConsoleServer({ distDir: join(dir, 'dist'), host: '127.0.0.1', port: 0 });
    missing = await startConsoleServer({ distDir: join(dir, 'none'), host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await missing?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (base: ConsoleServer, path: string, method = 'GET') =>
    fetch(`${base.url}${path}`, { method });

  it('answers index.html for the console and any client-side route, never cached', async () => {
    for (const path of ['/console', '/console/', '/console/fleet', '/console/flags/x']) {
      const response = await get(server, path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toContain('<title>console</title>');
    }
  });

  it('serves hashed assets with a long cache and their type', async () => {
    const response = await get(server, '/console/assets/app-1a2b.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/javascript');
    expect(response.headers.get('cache-control')).toContain('immutable');
  });

  it('answers 404 in the SPEC envelope for a missing file, a path escape or another prefix', async () => {
    for (const path of ['/console/assets/nope.js', '/console/%2e%2e/secret.txt', '/other']) {
      const response = await get(server, path);
      expect(response.status, path).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        'RECORD_NOT_FOUND',
      );
    }
  });

  it('refuses other methods, and says how to build when there is no build', async () => {
    const post = await get(server, '/console/', 'POST');
    expect(post.status).toBe(405);
    expect((await get(missing, '/health/ready')).status).toBe(200);
    const page = await get(missing, '/console/');
    expect(page.status).toBe(503);
    expect(((await page.json()) as { error: { message: string } }).error.message).toContain(
      'pnpm --filter @switchboard/console build',
    );
  });
});
