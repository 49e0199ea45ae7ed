import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CgroupLimits,
  type SandboxCgroups,
  children,
  exists,
  readKey,
  readNumber,
  readPids,
  readText,
  removeDir,
  segment,
  signalAll,
  sleep,
  write,
} from './sandbox-cgroup.js';

/**
 * cgroup v2 (unified): `<root>/<parent>/<sandbox>/<execution>`. The parent enables the memory,
 * pids and cpu controllers for its children; processes live only in execution leaves (v2 allows
 * no processes in a cgroup whose children use controllers). Freezing writes cgroup.freeze and
 * waits for `frozen 1` in cgroup.events; killing uses cgroup.kill where the kernel has it.
 */
export function createCgroupV2(root: string, parent: string): SandboxCgroups {
  const parentDir = join(root, parent);
  const dir = (sandboxId: string, executionId?: string) =>
    join(
      parentDir,
      segment(sandboxId),
      ...(executionId === undefined ? [] : [segment(executionId)]),
    );
  const leaves = async (sandboxId: string, executionId?: string) =>
    executionId === undefined ? children(dir(sandboxId)) : [dir(sandboxId, executionId)];

  async function pids(sandboxId: string, executionId?: string): Promise<number[]> {
    const lists = await Promise.all(
      (await leaves(sandboxId, executionId)).map((leaf) => readPids(join(leaf, 'cgroup.procs'))),
    );
    return lists.flat();
  }

  const isFrozen = async (sandboxId: string) =>
    (await readKey(join(dir(sandboxId), 'cgroup.events'), 'frozen')) === 1;

  async function waitFrozen(sandboxId: string, wanted: boolean): Promise<boolean> {
    for (let round = 0; round < 200; round += 1) {
      if ((await isFrozen(sandboxId)) === wanted) return true;
      await sleep(round < 20 ? 1 : 10);
    }
    return false;
  }

  async function ensureParent(): Promise<void> {
    await mkdir(parentDir, { recursive: true });
    const enabled = (await readText(join(parentDir, 'cgroup.subtree_control'))) ?? '';
    const wanted = ['memory', 'pids', 'cpu'].filter((name) => !enabled.split(' ').includes(name));
    if (wanted.length > 0)
      await write(join(parentDir, 'cgroup.subtree_control'), wanted.map((n) => `+${n}`).join(' '));
  }

  async function kill(sandboxId: string, executionId?: string): Promise<void> {
    const target = dir(sandboxId, executionId);
    for (let round = 0; round < 100; round += 1) {
      const found = await pids(sandboxId, executionId);
      if (found.length > 0) {
        // cgroup.kill (5.14+) kills atomically, frozen tasks included; older kernels: signal each.
        if (existsSync(join(target, 'cgroup.kill'))) await write(join(target, 'cgroup.kill'), '1');
        else signalAll(found);
        await sleep(5);
        continue;
      }
      let removed = true;
      if (executionId === undefined)
        for (const leaf of await children(target)) removed = (await removeDir(leaf)) && removed;
      if ((await removeDir(target)) && removed) return;
      await sleep(10);
    }
    throw new Error(`processes of sandbox ${sandboxId} survived the kill`);
  }

  return {
    version: 'v2',
    exists: (sandboxId) => exists(dir(sandboxId)),
    async create(sandboxId: string, limits: CgroupLimits) {
      await ensureParent();
      const base = dir(sandboxId);
      await mkdir(base, { recursive: true });
      await write(join(base, 'memory.max'), String(limits.memoryBytes));
      // No swap escape from the memory limit where swap exists.
      if (existsSync(join(base, 'memory.swap.max')))
        await write(join(base, 'memory.swap.max'), '0');
      await write(join(base, 'pids.max'), String(limits.pids));
      await write(join(base, 'cpu.weight'), String(limits.cpuWeight));
    },
    async enter(sandboxId: string, executionId: string) {
      const leaf = dir(sandboxId, executionId);
      await mkdir(leaf, { recursive: true });
      return [join(leaf, 'cgroup.procs')];
    },
    async freeze(sandboxId: string) {
      await write(join(dir(sandboxId), 'cgroup.freeze'), '1');
      if (!(await waitFrozen(sandboxId, true)))
        throw new Error(`cgroup of sandbox ${sandboxId} did not report frozen`);
      return (await pids(sandboxId)).length;
    },
    async thaw(sandboxId: string) {
      await write(join(dir(sandboxId), 'cgroup.freeze'), '0');
      if (!(await waitFrozen(sandboxId, false)))
        throw new Error(`cgroup of sandbox ${sandboxId} did not thaw`);
    },
    frozen: isFrozen,
    pids,
    kill,
    async usage(sandboxId: string) {
      return {
        processes: (await pids(sandboxId)).length,
        memoryBytes: await readNumber(join(dir(sandboxId), 'memory.current')),
        cpuSeconds: (await readKey(join(dir(sandboxId), 'cpu.stat'), 'usage_usec')) / 1e6,
      };
    },
    oomKills: (sandboxId, executionId) =>
      readKey(join(dir(sandboxId, executionId), 'memory.events'), 'oom_kill'),
  };
}
