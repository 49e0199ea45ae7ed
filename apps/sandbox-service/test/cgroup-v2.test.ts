import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCgroupV2 } from '../src/drivers/cgroup/cgroup-v2.js';

// Hybrid hosts (like these build machines) mount the unified hierarchy without controllers at
// /sys/fs/cgroup/unified: enough to exercise v2's freeze, membership and kill for real. Limits
// need the controllers, which only a v2 host has (covered there by the isolation tests).
const root = existsSync('/sys/fs/cgroup/unified/cgroup.procs')
  ? '/sys/fs/cgroup/unified'
  : '/sys/fs/cgroup';
const parent = `switchboard-v2-test-${process.pid}`;
const usable = existsSync(join(root, 'cgroup.procs')) && process.getuid?.() === 0;

describe.skipIf(!usable)('cgroup v2 freeze and kill', () => {
  const cgroups = createCgroupV2(root, parent);
  afterAll(() => {
    try {
      rmdirSync(join(root, parent));
    } catch {
      // removed with its last sandbox
    }
  });

  it('freezes a fork loop atomically, thaws it, then kills every process and removes the cgroup', async () => {
    const sandboxId = 'sbx_v2';
    mkdirSync(join(root, parent, sandboxId), { recursive: true });
    const [procs] = await cgroups.enter(sandboxId, 'exe_v2');
    const child = spawn(
      '/bin/sh',
      [
        '-c',
        `echo $$ > ${procs!} && exec sh -c 'while :; do sh -c "sleep 0.05" & sleep 0.01; done'`,
      ],
      { stdio: 'ignore', detached: true },
    );
    const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const frozen = await cgroups.freeze(sandboxId);
    expect(frozen).toBeGreaterThan(1);
    expect(await cgroups.frozen(sandboxId)).toBe(true);
    const during = (await cgroups.pids(sandboxId)).sort();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await cgroups.pids(sandboxId)).sort()).toEqual(during);
    await cgroups.thaw(sandboxId);
    expect(await cgroups.frozen(sandboxId)).toBe(false);
    await cgroups.kill(sandboxId);
    expect(existsSync(join(root, parent, sandboxId))).toBe(false);
    expect(await exited).toBe('SIGKILL');
  });
});
