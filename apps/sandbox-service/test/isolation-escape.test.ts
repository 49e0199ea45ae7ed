import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isolationUnavailable, newId, processesWith, sh, useDriver } from './isolation.js';
import { useRedis } from './helper.js';

const unavailable = isolationUnavailable();
if (unavailable) console.warn(`isolated driver tests skipped: ${unavailable}`);

/**
 * Each escape an agent's code could try, run against both drivers: under the process driver
 * the escape works (which is why the isolated driver exists), under the isolated one it fails.
 */
describe.each([
  { kind: 'process' as const, escapes: true },
  { kind: 'isolated' as const, escapes: false },
])('escapes under the $kind driver', ({ kind, escapes }) => {
  const redis = useRedis();
  const target = useDriver(kind);

  describe.skipIf(kind === 'isolated' && unavailable !== undefined)('', () => {
    const fresh = async () => {
      const id = newId('sbx');
      await target.driver.create(id);
      return id;
    };

    it(`${escapes ? 'can' : 'cannot'} read the worker's environment in /proc`, async () => {
      const id = await fresh();
      const result = await sh(target.driver, id, `cat /proc/${process.pid}/environ`);
      if (escapes) expect(result.stdout).toContain('PATH=');
      else {
        expect(result.exitCode).not.toBe(0);
        expect(result.stdout).toBe('');
      }
      await target.driver.destroy(id);
    });

    it(`${escapes ? 'can' : 'cannot'} read or write a neighbour's directory`, async () => {
      const [mine, theirs] = [await fresh(), await fresh()];
      writeFileSync(join(target.driver.directory(theirs), 'secret'), 'neighbour-secret');
      const result = await sh(
        target.driver,
        mine,
        `cat ../${theirs}/secret; echo planted > ../${theirs}/planted; ls .. | wc -l`,
      );
      const planted = existsSync(join(target.driver.directory(theirs), 'planted'));
      expect(result.stdout.includes('neighbour-secret')).toBe(escapes);
      expect(planted).toBe(escapes);
      await Promise.all([target.driver.destroy(mine), target.driver.destroy(theirs)]);
    });

    it(`${escapes ? 'can' : 'cannot'} write outside its own directory`, async () => {
      const id = await fresh();
      const outside = join(target.root, `${id}-outside`);
      // Inside bwrap these paths exist only in a private tmpfs: the host never sees the files.
      await sh(target.driver, id, `echo x > ${outside}; echo x > ../escaped-${id}`);
      expect(existsSync(outside)).toBe(escapes);
      expect(existsSync(join(target.root, `escaped-${id}`))).toBe(escapes);
      await target.driver.destroy(id);
    });

    it(`${escapes ? 'can' : 'cannot'} reach Redis on loopback`, async () => {
      const id = await fresh();
      const port = new URL(redis.server.url).port;
      const result = await sh(
        target.driver,
        id,
        `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port} && printf "PING\\r\\n" >&3 && head -c 5 <&3'`,
      );
      expect(result.stdout.includes('+PONG')).toBe(escapes);
      await target.driver.destroy(id);
    });

    it(`${escapes ? 'lets a fork bomb grow unbounded' : 'contains a fork bomb with the pids limit'}; the worker is unaffected`, async () => {
      const id = await fresh();
      // Bounded at 150 so the process-driver half cannot hurt the host; 150 > the test's pids limit (64).
      const result = await sh(
        target.driver,
        id,
        'i=0; while [ $i -lt 150 ]; do sleep 30 & i=$((i+1)); echo $i; done',
        15_000,
      );
      const forked = Number(result.stdout.trim().split('\n').at(-1) ?? 0);
      if (escapes) expect(forked).toBe(150);
      else expect(forked).toBeLessThan(64);
      // The worker (this process) still forks, and another sandbox still runs.
      expect(spawnSync('true').status).toBe(0);
      const other = await fresh();
      expect((await sh(target.driver, other, 'echo alive')).stdout).toBe('alive\n');
      await Promise.all([target.driver.destroy(id), target.driver.destroy(other)]);
    });

    it(`${escapes ? 'lets a memory hog take what it wants' : 'stops a memory hog at the limit with a clear reason'}`, async () => {
      const id = await fresh();
      const result = await sh(
        target.driver,
        id,
        `x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo \${#x}`,
        20_000,
      );
      if (escapes) {
        expect(result.stdout.trim()).toBe('100000000');
        expect(result.failure).toBeUndefined();
      } else {
        expect(result.exitCode).not.toBe(0);
        expect(result.failure).toMatch(/memory limit exceeded: the sandbox may use 64 MiB/);
      }
      await target.driver.destroy(id);
    });

    it(`${escapes ? 'leaves' : 'kills'} a double-forked setsid child that cleared its environment on terminate`, async () => {
      const id = await fresh();
      const marker = `${3000 + (process.pid % 1000)}.${Date.now() % 100_000}`;
      await sh(
        target.driver,
        id,
        `setsid sh -c 'env -i sleep ${marker} </dev/null >/dev/null 2>&1 &' </dev/null >/dev/null 2>&1`,
      );
      await target.driver.destroy(id);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const survivors = processesWith(`sleep ${marker}`);
      for (const pid of survivors) process.kill(pid, 'SIGKILL');
      expect(survivors.length > 0).toBe(escapes);
    });
  });
});

describe.skipIf(unavailable !== undefined)('network for sandboxes that ask for it', () => {
  const redis = useRedis();
  const target = useDriver('isolated', { SANDBOX_NETWORK: true });

  it('reaches loopback only when the worker allows network and the sandbox asks for it', async () => {
    const id = newId('sbx');
    await target.driver.create(id);
    const port = new URL(redis.server.url).port;
    const probe = (network: boolean) =>
      target.driver.exec(id, {
        executionId: newId('exe'),
        command: '/bin/sh',
        args: ['-c', `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port}' && echo connected`],
        timeoutMs: 10_000,
        maxOutputBytes: 1024,
        network,
      });
    expect((await probe(true)).stdout).toBe('connected\n');
    expect((await probe(false)).stdout).toBe('');
    await target.driver.destroy(id);
  });
});

it('records why the isolated driver is unavailable when it is', () => {
  // On hosts with bwrap and cgroups (these build machines) nothing is skipped above.
  expect(unavailable === undefined || unavailable.length > 0).toBe(true);
  void newId;
});
