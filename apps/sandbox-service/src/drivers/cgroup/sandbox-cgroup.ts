import { accessSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Limits applied at the sandbox level; every execution's leaf cgroup counts against them. */
export interface CgroupLimits {
  memoryBytes: number;
  pids: number;
  /** 1..10000, 100 = an equal share (cgroup v2 cpu.weight; v1 cpu.shares is derived). */
  cpuWeight: number;
}

interface CgroupUsage {
  processes: number;
  memoryBytes: number;
  cpuSeconds: number;
}

/**
 * One sandbox = one cgroup (limits, freezer) with one leaf per execution (so an execution's
 * leftovers can be killed without touching the sandbox's other executions). The v1 and v2
 * implementations differ only in file names and where the controllers live.
 */
export interface SandboxCgroups {
  readonly version: 'v1' | 'v2';
  exists(sandboxId: string): Promise<boolean>;
  /** Creates the sandbox cgroup with its limits (idempotent). */
  create(sandboxId: string, limits: CgroupLimits): Promise<void>;
  /** Creates the execution's leaf; a process writes its pid into each returned file before it execs. */
  enter(sandboxId: string, executionId: string): Promise<string[]>;
  /** Freezes and waits until the kernel reports FROZEN; throws when it does not within the deadline. */
  freeze(sandboxId: string): Promise<number>;
  thaw(sandboxId: string): Promise<void>;
  frozen(sandboxId: string): Promise<boolean>;
  /** Pids of the sandbox (or one execution), read from the kernel, never remembered. */
  pids(sandboxId: string, executionId?: string): Promise<number[]>;
  /** Kills until no process is left, then removes the cgroup(s). */
  kill(sandboxId: string, executionId?: string): Promise<void>;
  usage(sandboxId: string): Promise<CgroupUsage>;
  /** OOM kills the kernel counted so far in one execution's leaf (the sandbox's limit applies). */
  oomKills(sandboxId: string, executionId: string): Promise<number>;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// cgroupfs files are kernel state, answered without waiting on a disk: read and written
// synchronously, since each async call went through the thread pool (open, fstat, read, close),
// which made a pause, a resume or a usage reading cost more CPU than the rest of its request.
// The functions stay async so callers do not depend on that.

export async function exists(path: string): Promise<boolean> {
  try {
    accessSync(path);
    return true;
  } catch {
    return false;
  }
}

export async function readText(path: string): Promise<string | undefined> {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export async function readNumber(path: string): Promise<number> {
  const text = await readText(path);
  const value = Number(text?.trim());
  return Number.isFinite(value) ? value : 0;
}

/** Value of `key` in a flat-keyed file like memory.events or memory.oom_control. */
export async function readKey(path: string, key: string): Promise<number> {
  const text = (await readText(path)) ?? '';
  const line = text.split('\n').find((entry) => entry.startsWith(`${key} `));
  return line ? Number(line.slice(key.length + 1)) : 0;
}

export async function readPids(procsFile: string): Promise<number[]> {
  const text = (await readText(procsFile)) ?? '';
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map(Number);
}

/** Child cgroup directories (execution leaves) of a cgroup. */
export async function children(dir: string): Promise<string[]> {
  try {
    const entries = readdirSync(dir, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory()).map((entry) => join(dir, entry.name));
  } catch {
    return [];
  }
}

export async function write(path: string, value: string): Promise<void> {
  writeFileSync(path, value);
}

/** rmdir that tolerates a cgroup already gone; EBUSY (a process still inside) is the caller's retry. */
export async function removeDir(dir: string): Promise<boolean> {
  try {
    rmdirSync(dir);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

export function signalAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // ESRCH: gone meanwhile
    }
  }
}

/** Ids become path segments: only the characters sandbox and execution ids use. */
export function segment(id: string): string {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) throw new Error(`unsafe cgroup name ${id}`);
  return id;
}
