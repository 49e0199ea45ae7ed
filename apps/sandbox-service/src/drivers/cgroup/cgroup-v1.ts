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

/** cpuacct only reports usage; on hosts that co-mount it with cpu both names lead to one directory. */
export const V1_CONTROLLERS = ['freezer', 'memory', 'pids', 'cpu', 'cpuacct'] as const;
const CONTROLLERS = V1_CONTROLLERS;
type Controller = (typeof CONTROLLERS)[number];

/**
 * cgroup v1: one hierarchy per controller, so a sandbox is a directory in each of freezer,
 * memory, pids and cpu (`<root>/<controller>/<parent>/<sandbox>/<execution>`). The freezer
 * hierarchy is the membership list; the v1 freezer is hierarchical, so freezing the sandbox
 * directory freezes every execution leaf, including processes forked while it freezes.
 */
export function createCgroupV1(root: string, parent: string): SandboxCgroups {
  const dir = (controller: Controller, sandboxId: string, executionId?: string) =>
    join(
      root,
      controller,
      parent,
      segment(sandboxId),
      ...(executionId === undefined ? [] : [segment(executionId)]),
    );
  const leaves = async (sandboxId: string, executionId?: string) =>
    executionId === undefined
      ? children(dir('freezer', sandboxId))
      : [dir('freezer', sandboxId, executionId)];

  async function pids(sandboxId: string, executionId?: string): Promise<number[]> {
    const lists = await Promise.all(
      (await leaves(sandboxId, executionId)).map((leaf) => readPids(join(leaf, 'cgroup.procs'))),
    );
    return lists.flat();
  }

  async function freezerState(sandboxId: string): Promise<string> {
    return ((await readText(join(dir('freezer', sandboxId), 'freezer.state'))) ?? '').trim();
  }

  async function freeze(sandboxId: string): Promise<number> {
    const state = join(dir('freezer', sandboxId), 'freezer.state');
    // FREEZING lasts while a task has not reached the freezer yet (not scheduled on a busy host,
    // or forked while the request went round); writing FROZEN again re-sends the request to
    // every task (the kernel's documented retry), so do that now and then while waiting.
    for (let round = 0; round < 400; round += 1) {
      if (round % 10 === 0) await write(state, 'FROZEN');
      if ((await freezerState(sandboxId)) === 'FROZEN') return (await pids(sandboxId)).length;
      await sleep(round < 20 ? 1 : 10);
    }
    throw new Error(`cgroup freezer of sandbox ${sandboxId} did not reach FROZEN`);
  }

  async function thaw(sandboxId: string): Promise<void> {
    await write(join(dir('freezer', sandboxId), 'freezer.state'), 'THAWED');
    for (let round = 0; round < 200; round += 1) {
      if ((await freezerState(sandboxId)) === 'THAWED') return;
      await sleep(round < 20 ? 1 : 10);
    }
    throw new Error(`cgroup freezer of sandbox ${sandboxId} did not reach THAWED`);
  }

  async function kill(sandboxId: string, executionId?: string): Promise<void> {
    const sandboxDir = dir('freezer', sandboxId);
    for (let round = 0; round < 100; round += 1) {
      const found = await pids(sandboxId, executionId);
      if (found.length > 0) {
        // A SIGKILL to a frozen v1 task is delivered only once it thaws; freezing first stops
        // forks racing the kill, thawing afterwards lets the kills land.
        const wasFrozen = (await freezerState(sandboxId)) !== 'THAWED';
        await write(join(sandboxDir, 'freezer.state'), 'FROZEN').catch(() => undefined);
        signalAll(await pids(sandboxId, executionId));
        // One execution of a paused sandbox: its kills land when the sandbox resumes.
        if (wasFrozen && executionId !== undefined) return;
        await write(join(sandboxDir, 'freezer.state'), 'THAWED').catch(() => undefined);
        await sleep(5);
        continue;
      }
      if (await removeAll(sandboxId, executionId)) return;
      await sleep(10);
    }
    throw new Error(`processes of sandbox ${sandboxId} survived the kill`);
  }

  async function removeAll(sandboxId: string, executionId?: string): Promise<boolean> {
    let removed = true;
    for (const controller of CONTROLLERS) {
      const base = dir(controller, sandboxId, executionId);
      if (executionId === undefined)
        for (const leaf of await children(base)) removed = (await removeDir(leaf)) && removed;
      removed = (await removeDir(base)) && removed;
    }
    return removed;
  }

  return {
    version: 'v1',
    exists: (sandboxId) => exists(dir('freezer', sandboxId)),
    async create(sandboxId: string, limits: CgroupLimits) {
      for (const controller of CONTROLLERS)
        await mkdir(dir(controller, sandboxId), { recursive: true });
      await write(
        join(dir('memory', sandboxId), 'memory.limit_in_bytes'),
        String(limits.memoryBytes),
      );
      await write(join(dir('pids', sandboxId), 'pids.max'), String(limits.pids));
      // v1 shares: 1024 is the default weight (v2's 100).
      await write(
        join(dir('cpu', sandboxId), 'cpu.shares'),
        String(Math.max(2, Math.round((limits.cpuWeight * 1024) / 100))),
      );
    },
    async enter(sandboxId: string, executionId: string) {
      const files: string[] = [];
      for (const controller of CONTROLLERS) {
        const leaf = dir(controller, sandboxId, executionId);
        await mkdir(leaf, { recursive: true });
        files.push(join(leaf, 'cgroup.procs'));
      }
      return files;
    },
    freeze,
    thaw,
    frozen: async (sandboxId) => (await freezerState(sandboxId)) === 'FROZEN',
    pids,
    kill,
    async usage(sandboxId: string) {
      return {
        processes: (await pids(sandboxId)).length,
        memoryBytes: await readNumber(join(dir('memory', sandboxId), 'memory.usage_in_bytes')),
        cpuSeconds: (await readNumber(join(dir('cpuacct', sandboxId), 'cpuacct.usage'))) / 1e9,
      };
    },
    // v1 counts an OOM kill in the cgroup of the killed task, not where the limit is set.
    oomKills: (sandboxId, executionId) =>
      readKey(join(dir('memory', sandboxId, executionId), 'memory.oom_control'), 'oom_kill'),
  };
}
