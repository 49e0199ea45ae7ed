import { mkdtempSync, readFileSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type SandboxRuntimeSettings, runtimeSettings } from '../src/config.js';
import { detectCgroups } from '../src/drivers/cgroup/detect.js';
import { selectDriver } from '../src/drivers/driver-selection.js';
import type { ExecResult, SandboxDriver } from '../src/drivers/sandbox-driver.js';

/** Test cgroups live under their own parent per test process, removed afterwards. */
export const TEST_CGROUP_PARENT = `switchboard-test-${process.pid}`;

/** Why the isolated driver cannot run on this host (undefined when it can). */
export function isolationUnavailable(): string | undefined {
  const choice = selectDriver({
    ...runtimeSettings(),
    SANDBOX_DRIVER: 'auto',
    SANDBOX_CGROUP_PARENT: TEST_CGROUP_PARENT,
  });
  return choice.driver.isolation === 'isolated' ? undefined : choice.reason;
}

export interface DriverUnderTest {
  readonly driver: SandboxDriver;
  readonly root: string;
}

/** A driver of the given kind over a private SANDBOX_ROOT and cgroup parent (small limits). */
export function useDriver(
  kind: 'isolated' | 'process',
  overrides: Partial<SandboxRuntimeSettings> = {},
): DriverUnderTest {
  const holder = { driver: undefined as unknown as SandboxDriver, root: '' };
  beforeAll(() => {
    holder.root = mkdtempSync(join(tmpdir(), `switchboard-${kind}-`));
    holder.driver = selectDriver({
      ...runtimeSettings(),
      SANDBOX_DRIVER: kind,
      SANDBOX_ROOT: holder.root,
      SANDBOX_PATH: '/usr/bin:/bin',
      SANDBOX_CGROUP_PARENT: TEST_CGROUP_PARENT,
      SANDBOX_MEMORY_LIMIT_MB: 64,
      SANDBOX_PIDS_LIMIT: 64,
      ...overrides,
    }).driver;
  });
  afterAll(async () => {
    rmSync(holder.root, { recursive: true, force: true });
    await removeTestCgroups();
  });
  return holder;
}

/**
 * Kills what a test file left in its cgroups (paused sandboxes it never terminated: frozen
 * processes outlive their worker) and removes the test cgroup parents, deepest first.
 */
export async function removeTestCgroups(): Promise<void> {
  const { cgroups } = detectCgroups('/sys/fs/cgroup', TEST_CGROUP_PARENT);
  const parents = ['/sys/fs/cgroup', ...controllerDirs()].map((base) =>
    join(base, TEST_CGROUP_PARENT),
  );
  const sandboxIds = new Set(
    parents.flatMap((dir) => {
      try {
        return readdirSync(dir, { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => entry.name);
      } catch {
        return [];
      }
    }),
  );
  for (const sandboxId of sandboxIds) await cgroups?.kill(sandboxId).catch(() => undefined);
  for (const dir of parents) {
    try {
      rmdirSync(dir);
    } catch {
      // not there
    }
  }
}

function controllerDirs(): string[] {
  try {
    return readdirSync('/sys/fs/cgroup').map((name) => join('/sys/fs/cgroup', name));
  } catch {
    return [];
  }
}

let seq = 0;
export const newId = (prefix: string) => `${prefix}_${process.pid}_${Date.now()}_${(seq += 1)}`;

/** Runs a shell command in a sandbox the way the exec tool does. */
export function sh(
  driver: SandboxDriver,
  sandboxId: string,
  command: string,
  timeoutMs = 10_000,
): Promise<ExecResult> {
  return driver.exec(sandboxId, {
    executionId: newId('exe'),
    command: '/bin/sh',
    args: ['-c', command],
    timeoutMs,
    maxOutputBytes: 65_536,
  });
}

/** Live pids whose command line contains `marker` (host-wide /proc scan). */
export function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const state = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]?.[0];
      if (cmdline.includes(marker) && state !== 'Z') found.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}
