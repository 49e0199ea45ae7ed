import { accessSync, constants, existsSync } from 'node:fs';
import type { FreezeCapabilities } from './sandbox-driver.js';

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * What this host offers for freezing process trees. The process driver freezes with signals:
 * it needs no cgroup delegation and works on cgroup v1 hybrids (like these build machines) as
 * well as v2. The cgroup findings are reported so operators can see what a cgroup-based driver
 * could use here.
 */
export function detectFreezeCapabilities(root = '/sys/fs/cgroup'): FreezeCapabilities {
  const cgroupV2 =
    existsSync(`${root}/cgroup.controllers`) && writable(`${root}/cgroup.subtree_control`);
  const cgroupV1Freezer = existsSync(`${root}/freezer/tasks`) && writable(`${root}/freezer`);
  return {
    method: 'signals',
    cgroupV2,
    cgroupV1Freezer,
    signals: true,
    detail:
      'SIGSTOP/SIGCONT to every process of the sandbox found via /proc (setsid children included), confirmed by state T',
  };
}
