import { mkdtempSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as testRedis from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnService } from '../src/service-process.js';

vi.mock('@switchboard/test-redis', async (importOriginal) => {
  const original = await importOriginal<typeof testRedis>();
  return { ...original, freePort: vi.fn(original.freePort) };
});

describe('spawnService', () => {
  let squatter: Server;
  let taken: number;
  const entry = join(mkdtempSync(join(tmpdir(), 'spawn-service-')), 'server.mjs');

  beforeAll(async () => {
    // A service as small as can be: listens on PORT (dies on EADDRINUSE as ours do), ready at once.
    writeFileSync(
      entry,
      `import { createServer } from 'node:http';
createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1').on('error', (error) => { console.error(error.message); process.exit(1); });`,
    );
    squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    taken = (squatter.address() as { port: number }).port;
  });
  afterAll(() => {
    squatter.close();
  });

  it('starts on another free port when the chosen one was taken before the service bound it', async () => {
    vi.mocked(testRedis.freePort).mockResolvedValueOnce(taken);
    const service = await spawnService(entry, {});
    try {
      expect(service.port).not.toBe(taken);
      expect(await (await fetch(`${service.http}/health/ready`)).text()).toBe('ok');
      expect(testRedis.freePort).toHaveBeenCalledTimes(2);
    } finally {
      await service.stop('SIGKILL');
    }
  });
});
