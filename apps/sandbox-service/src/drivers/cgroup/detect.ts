import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCgroupV1, V1_CONTROLLERS } from './cgroup-v1.js';
import { createCgroupV2 } from './cgroup-v2.js';
import type { SandboxCgroups } from './sandbox-cgroup.js';

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export type CgroupDetection =
  { cgroups: SandboxCgroups; detail: string } | { cgroups: undefined; detail: string };

/**
 * Picks the hierarchy this host offers: v2 when the unified root has the memory and pids
 * controllers and is writable, else v1 when freezer, memory, pids and cpu are mounted writable.
 */
export function detectCgroups(root: string, parent: string): CgroupDetection {
  const controllersFile = join(root, 'cgroup.controllers');
  if (existsSync(controllersFile)) {
    const controllers = readFileSync(controllersFile, 'utf8').trim().split(' ');
    const missing = ['memory', 'pids', 'cpu'].filter((name) => !controllers.includes(name));
    if (missing.length === 0 && writable(root))
      return { cgroups: createCgroupV2(root, parent), detail: `cgroup v2 at ${root}/${parent}` };
    return {
      cgroups: undefined,
      detail: `cgroup v2 at ${root} lacks ${missing.join(', ') || 'write access'}`,
    };
  }
  const missing = V1_CONTROLLERS.filter(
    (name) => !existsSync(join(root, name, 'cgroup.procs')) || !writable(join(root, name)),
  );
  if (missing.length === 0)
    return {
      cgroups: createCgroupV1(root, parent),
      detail: `cgroup v1 (${V1_CONTROLLERS.join(', ')}) at ${root}/<controller>/${parent}`,
    };
  return {
    cgroups: undefined,
    detail: `cgroup v1 controllers missing or read-only: ${missing.join(', ')}`,
  };
}
