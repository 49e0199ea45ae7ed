import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mintToken } from '@switchboard/auth';
import { waitFor } from '@switchboard/test-redis';
import { afterAll, describe, expect, it } from 'vitest';
import { useRedis } from './helper.js';

// The built server (`pnpm --filter @switchboard/flag-service build` first), as production runs it.
const server = fileURLToPath(new URL('../dist/server.js', import.meta.url));
const secret = 'process-test-secret-value';
/**
 * How long the server keeps serving after SIGTERM. The test sees readiness go 503 (allowed up to
 * 1 s on a loaded machine) and then sends one more request, which must land before the drain ends:
 * the drain is well above that 1 s so the request cannot arrive after the server closed.
 */
const DRAIN_MS = 3000;

describe('flag-service process', () => {
  const redis = useRedis();
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  it('serves flags from the built server (Lua script shipped in dist) and exits 0 on SIGTERM', async () => {
    let output = '';
    child = spawn(process.execPath, [server], {
      env: {
        PATH: process.env['PATH'] ?? '',
        REDIS_URL: redis.server.url,
        JWT_SECRET: secret,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        DRAIN_MS: String(DRAIN_MS),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = await waitFor(() => /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1], {
      timeoutMs: 15_000,
      message: `listen line in ${output}`,
    });

    const token = mintToken({ sub: 'ops', dealershipId: 'd1', role: 'admin' }, { secret });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = await fetch(`${url}/api/flags`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ key: 'PROC', enabled: true }),
    });
    expect(created.status).toBe(201);
    const evaluated = await fetch(`${url}/ofrep/v1/evaluate/flags/PROC`, {
      method: 'POST',
      headers,
      body: '{"context":{}}',
    });
    expect(await evaluated.json()).toMatchObject({ key: 'PROC', value: true, reason: 'STATIC' });

    const exited = new Promise<number | null>((resolve) =>
      child!.once('exit', (code) => resolve(code)),
    );
    const stoppedAt = Date.now();
    child.kill('SIGTERM');
    // Leaving rotation: readiness says 503 at once, while requests are still served.
    await waitFor(async () => (await fetch(`${url}/health/ready`)).status === 503, {
      timeoutMs: 1000,
      intervalMs: 50,
      message: 'readiness 503 after SIGTERM',
    });
    const during = await fetch(`${url}/ofrep/v1/evaluate/flags/PROC`, {
      method: 'POST',
      headers,
      body: '{"context":{}}',
    });
    expect(during.status).toBe(200);
    expect(await exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(DRAIN_MS);
  });
});
