import { describe, expect, it } from 'vitest';
import { sandboxProcesses } from '../src/drivers/proc-table.js';
import { builtinTools } from '../src/tools/builtin-tools.js';
import { isolationUnavailable, newId, sh, useDriver } from './isolation.js';

const unavailable = isolationUnavailable();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(unavailable !== undefined)(
  'the isolated driver freezes with the cgroup freezer',
  () => {
    // Every usage() below must read the cgroup now, not a shared reading.
    const target = useDriver('isolated', { SANDBOX_USAGE_SAMPLE_TTL_MS: 0 });

    it('freezes every process of a fork loop at once: none runs, none is added, until thawed', async () => {
      const id = newId('sbx');
      await target.driver.create(id);
      const running = sh(
        target.driver,
        id,
        'while :; do sh -c "sleep 0.05" & sleep 0.005; done',
        60_000,
      );
      await sleep(400);
      const { frozen } = await target.driver.pause(id);
      expect(frozen).toBeGreaterThan(3);
      const usage = await target.driver.usage(id);
      const pids = (await target.driver.usage(id)).processes;
      const cpuBefore = usage.cpuSeconds;
      await sleep(500);
      // The kernel reports FROZEN and the loop neither forked nor ran while frozen.
      expect((await target.driver.usage(id)).processes).toBe(pids);
      expect((await target.driver.usage(id)).cpuSeconds).toBe(cpuBefore);
      await target.driver.resume(id);
      await sleep(300);
      expect((await target.driver.usage(id)).cpuSeconds).toBeGreaterThan(cpuBefore);
      await target.driver.destroy(id);
      const result = await running;
      expect(result.exitCode === 0).toBe(false);
      expect((await target.driver.usage(id)).processes).toBe(0);
    });

    it('counts only active time against the time limit: a paused execution does not time out', async () => {
      const id = newId('sbx');
      await target.driver.create(id);
      const started = Date.now();
      const running = sh(target.driver, id, 'sleep 0.8', 1200);
      await sleep(200);
      await target.driver.pause(id);
      await sleep(1500);
      await target.driver.resume(id);
      const result = await running;
      expect(result.timedOut).toBe(false);
      expect(Date.now() - started).toBeGreaterThan(1700);
      await target.driver.destroy(id);
    });

    it('ends an execution that runs past its limit in active time', async () => {
      const id = newId('sbx');
      await target.driver.create(id);
      const result = await sh(target.driver, id, 'sleep 30', 300);
      expect(result.timedOut).toBe(true);
      await target.driver.destroy(id);
    });

    it('resumes a paused sleep where it stopped instead of finishing at once', async () => {
      const id = newId('sbx');
      await target.driver.create(id);
      const tool = builtinTools.find((entry) => entry.name === 'sleep')!;
      const started = Date.now();
      const running = tool.run(
        {
          driver: target.driver,
          sandboxId: id,
          executionId: newId('exe'),
          timeoutMs: 10_000,
          maxOutputBytes: 1024,
          onSpawn: async () => undefined,
        },
        { ms: 1000 },
      );
      await sleep(300);
      await target.driver.pause(id);
      await sleep(1500);
      await target.driver.resume(id);
      const outcome = await running;
      expect(outcome.ok).toBe(true);
      // ~300 ms before the pause + 1500 paused + the ~700 ms still to sleep (one 100 ms step may be lost).
      expect(Date.now() - started).toBeGreaterThanOrEqual(2350);
      await target.driver.destroy(id);
    });
  },
);

describe('the process driver freezes with signals', () => {
  const target = useDriver('process');

  it('stops every process of a fork loop (all in state T) and continues them on resume', async () => {
    const id = newId('sbx');
    await target.driver.create(id);
    const running = sh(
      target.driver,
      id,
      'while :; do sh -c "sleep 0.2" & sleep 0.02; done',
      60_000,
    );
    await sleep(300);
    await target.driver.pause(id);
    const stopped = await sandboxProcesses(id);
    expect(stopped.length).toBeGreaterThan(1);
    expect(stopped.every((entry) => entry.state === 'T')).toBe(true);
    await target.driver.resume(id);
    expect((await sandboxProcesses(id)).some((entry) => entry.state !== 'T')).toBe(true);
    await target.driver.destroy(id);
    await running;
  });
});
