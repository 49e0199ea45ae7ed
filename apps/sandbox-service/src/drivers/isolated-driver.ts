import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, lchown, mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { boundedCollector } from './bounded-output.js';
import { childOutcome } from './child-outcome.js';
import { bwrapCommand } from './bwrap-command.js';
import type { CgroupLimits, SandboxCgroups } from './cgroup/sandbox-cgroup.js';
import type { ExecRequest, ExecResult, SandboxDriver } from './sandbox-driver.js';
import { sandboxUid } from './sandbox-identity.js';
import { createUsageCache } from './usage-cache.js';

const DEFAULT_USAGE_SAMPLE_TTL_MS = 1000;

export interface IsolatedDriverOptions {
  root: string;
  cgroups: SandboxCgroups;
  limits: CgroupLimits;
  bwrapPath: string;
  /** PATH inside the sandbox. */
  path: string;
  uidBase: number;
  uidRange: number;
  /**
   * Whether sandboxes whose settings ask for it get the host's network (SANDBOX_NETWORK); the
   * others, and all when false, have none, not even loopback.
   */
  network: boolean;
  /** How often the time limit looks at the cgroup (frozen time is left out). Default 50 ms. */
  tickMs?: number;
  /** How long one reading of a sandbox's cgroup answers usage() (SANDBOX_USAGE_SAMPLE_TTL_MS). Default 1000 ms. */
  usageSampleTtlMs?: number;
}

/**
 * Every execution runs in bubblewrap (own user, pid, mount, ipc, uts, cgroup and network
 * namespaces) as the sandbox's unprivileged uid, inside the sandbox's cgroup, which carries the
 * memory, pids and CPU limits, freezes for pause and is killed whole on terminate.
 */
export function createIsolatedDriver(options: IsolatedDriverOptions): SandboxDriver {
  const root = resolve(options.root);
  const { cgroups } = options;
  const tickMs = options.tickMs ?? 50;
  const directory = (sandboxId: string) => join(root, sandboxId);
  const owner = (sandboxId: string) => sandboxUid(sandboxId, options.uidBase, options.uidRange);
  const usage = createUsageCache({
    ttlMs: options.usageSampleTtlMs ?? DEFAULT_USAGE_SAMPLE_TTL_MS,
    read: async (sandboxId) => {
      const read = await cgroups.usage(sandboxId);
      return { processes: read.processes, rssBytes: read.memoryBytes, cpuSeconds: read.cpuSeconds };
    },
  });

  async function create(sandboxId: string): Promise<void> {
    await mkdir(root, { recursive: true });
    // Sandboxes must reach their own directory but never list their neighbours.
    await chmod(root, 0o711);
    const dir = directory(sandboxId);
    await mkdir(dir, { recursive: true });
    const uid = owner(sandboxId);
    await chown(dir, uid, uid);
    await chmod(dir, 0o700);
    await cgroups.create(sandboxId, options.limits);
  }

  async function exec(sandboxId: string, request: ExecRequest): Promise<ExecResult> {
    await create(sandboxId);
    const dir = directory(sandboxId);
    const uid = owner(sandboxId);
    const procs = await cgroups.enter(sandboxId, request.executionId);
    const oomBefore = await cgroups.oomKills(sandboxId, request.executionId);
    const line = bwrapCommand({
      bwrapPath: options.bwrapPath,
      directory: dir,
      uid,
      gid: uid,
      env: { PATH: options.path, HOME: dir, LANG: 'C.UTF-8', ...request.env },
      network: options.network && request.network === true,
      cgroupProcs: procs,
      command: request.command,
      args: request.args,
    });
    const child = spawn(line.command, line.args, {
      cwd: '/',
      detached: true, // own session: the worker's terminal signals never reach the sandbox
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    });
    const stdout = boundedCollector(request.maxOutputBytes);
    const stderr = boundedCollector(request.maxOutputBytes);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));

    let timedOut = false;
    let activeMs = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      void (async () => {
        const now = performance.now();
        // A frozen cgroup is a paused sandbox: that time is not running time.
        if (!(await cgroups.frozen(sandboxId).catch(() => false))) activeMs += now - last;
        last = now;
        if (!timedOut && activeMs > request.timeoutMs) {
          timedOut = true;
          await cgroups.kill(sandboxId, request.executionId).catch(() => (timedOut = false));
        }
      })();
    }, tickMs);

    const { exited, closed } = childOutcome(child);
    try {
      if (child.pid !== undefined)
        await Promise.resolve(request.onSpawn?.()).catch(() => undefined);
      const exit = await exited;
      // Read before the leaf is removed with the kill below.
      const oomKilled = (await cgroups.oomKills(sandboxId, request.executionId)) > oomBefore;
      // Whatever the execution left behind (background, double-forked, setsid) ends with it.
      await cgroups.kill(sandboxId, request.executionId);
      await Promise.race([closed, new Promise((r) => setTimeout(r, 500))]);
      return {
        exitCode: exit.code,
        signal: exit.signal,
        stdout: stdout.text(),
        stderr: stderr.text(),
        truncated: stdout.truncated || stderr.truncated,
        timedOut,
        ...(oomKilled
          ? {
              failure: `memory limit exceeded: the sandbox may use ${Math.round(options.limits.memoryBytes / 1048576)} MiB and the kernel killed a process that needed more`,
            }
          : {}),
      };
    } finally {
      clearInterval(timer);
      child.stdout.destroy();
      child.stderr.destroy();
    }
  }

  return {
    name: 'isolated',
    isolation: 'isolated',
    capabilities: () => ({
      method: cgroups.version === 'v2' ? 'cgroup-v2' : 'cgroup-v1',
      cgroupV2: cgroups.version === 'v2',
      cgroupV1Freezer: cgroups.version === 'v1',
      signals: false,
      detail: `cgroup ${cgroups.version} freezer on the sandbox cgroup, confirmed FROZEN by the kernel`,
    }),
    directory,
    create,
    async destroy(sandboxId) {
      await cgroups.kill(sandboxId);
      await rm(directory(sandboxId), { recursive: true, force: true }).catch(
        (error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOTDIR') throw error;
        },
      );
      // A pause applied concurrently may have re-created the cgroup before the directory went.
      await cgroups.kill(sandboxId);
    },
    exec,
    killExecution: (sandboxId, executionId) => cgroups.kill(sandboxId, executionId),
    async pause(sandboxId) {
      // Freezing an empty sandbox cgroup is what makes pause race-free: an execution that
      // starts afterwards enters the frozen cgroup before it execs anything.
      // A sandbox whose directory is gone is terminated: nothing to freeze, nothing to create.
      if (!(await cgroups.exists(sandboxId))) {
        if (!existsSync(directory(sandboxId))) return { frozen: 0 };
        await cgroups.create(sandboxId, options.limits);
      }
      return { frozen: await cgroups.freeze(sandboxId) };
    },
    async resume(sandboxId) {
      const count = (await cgroups.pids(sandboxId)).length;
      if (await cgroups.frozen(sandboxId)) await cgroups.thaw(sandboxId);
      return { thawed: count };
    },
    async claim(sandboxId, path) {
      // The worker wrote it as root; the file and the directories made for it go to the sandbox.
      const dir = directory(sandboxId);
      const uid = owner(sandboxId);
      for (let current = resolve(path); current.startsWith(dir + sep); current = dirname(current))
        await lchown(current, uid, uid);
    },
    usage: (sandboxId) => usage.usage(sandboxId),
  };
}
