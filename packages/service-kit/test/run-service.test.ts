import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Server, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/run-service-app.mjs', import.meta.url));
const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));

function start(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, [fixture], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, output: () => output, exited };
}

describe('runService', () => {
  let squatter: Server;
  let taken: number;

  beforeAll(async () => {
    expect(existsSync(built), 'build packages/service-kit first').toBe(true);
    squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    taken = (squatter.address() as { port: number }).port;
  });
  afterAll(() => {
    squatter.close();
  });

  it('exits 1 with one line naming the port setting, after closing what it built, when the port is taken', async () => {
    const service = start({ FIXTURE_PORT: String(taken) });
    expect(await service.exited).toBe(1);
    const lines = service.output().trim().split('\n');
    expect(lines).toContain('closed what it built');
    const failure = lines.filter((line) => line.startsWith('fixture: failed to start'));
    expect(failure).toHaveLength(1);
    expect(failure[0]).toMatch(
      new RegExp(`^fixture: failed to start: cannot listen on FIXTURE_PORT ${taken}: .*EADDRINUSE`),
    );
    expect(service.output()).not.toContain('fixture ready');
  });

  it('runs without listening when it has no port, and closes gracefully on SIGTERM', async () => {
    const service = start({});
    await waitFor(() => service.output().includes('fixture ready'), {
      timeoutMs: 10_000,
      message: 'the fixture to be ready',
    });
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(service.output()).toContain('closed what it built');
  });
});
