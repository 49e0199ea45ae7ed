import { existsSync, readFileSync } from 'node:fs';
import { detectCgroups } from './cgroup/detect.js';
import { createIsolatedDriver } from './isolated-driver.js';
import { createProcessDriver } from './process-driver.js';
import type { SandboxDriver } from './sandbox-driver.js';

export interface DriverSettings {
  SANDBOX_DRIVER: 'auto' | 'isolated' | 'process';
  SANDBOX_ROOT: string;
  SANDBOX_PATH: string;
  SANDBOX_USAGE_SAMPLE_TTL_MS: number;
  SANDBOX_BWRAP_PATH: string;
  SANDBOX_CGROUP_ROOT: string;
  SANDBOX_CGROUP_PARENT: string;
  SANDBOX_MEMORY_LIMIT_MB: number;
  SANDBOX_PIDS_LIMIT: number;
  SANDBOX_CPU_WEIGHT: number;
  SANDBOX_UID_BASE: number;
  SANDBOX_UID_RANGE: number;
  SANDBOX_NETWORK: boolean;
}

export interface DriverChoice {
  driver: SandboxDriver;
  /** Why this driver: what was found missing when the process driver had to stand in. */
  reason: string;
}

const SETPRIV = '/usr/bin/setpriv';

/** A sysctl as a number, undefined where the kernel does not have it. */
function sysctl(name: string): number | undefined {
  try {
    return Number(readFileSync(`/proc/sys/${name}`, 'utf8').trim());
  } catch {
    return undefined;
  }
}

/**
 * Whether an unprivileged user may create user namespaces (bwrap runs as the sandbox's uid).
 * Read from sysctls rather than by running bwrap: a synchronous probe at start stalls the event
 * loop long enough on a busy host to trip load shedding. A host that still refuses shows it in
 * the first execution's stderr (bwrap's own message).
 */
function userNamespacesBlocked(): string | undefined {
  if (sysctl('user/max_user_namespaces') === 0) return 'user.max_user_namespaces is 0';
  if (sysctl('kernel/unprivileged_userns_clone') === 0)
    return 'kernel.unprivileged_userns_clone is 0';
  if (sysctl('kernel/apparmor_restrict_unprivileged_userns') === 1)
    return 'kernel.apparmor_restrict_unprivileged_userns is 1 (AppArmor blocks bwrap)';
  return undefined;
}

/** What stands in the way of the isolated driver on this host, if anything. */
function isolationBlocker(settings: DriverSettings) {
  if (process.getuid?.() !== 0)
    return { reason: 'the service does not run as root (needed to create cgroups and switch uid)' };
  if (!existsSync(settings.SANDBOX_BWRAP_PATH))
    return { reason: `bubblewrap not found at ${settings.SANDBOX_BWRAP_PATH}` };
  if (!existsSync(SETPRIV)) return { reason: `${SETPRIV} (util-linux) not found` };
  const found = detectCgroups(settings.SANDBOX_CGROUP_ROOT, settings.SANDBOX_CGROUP_PARENT);
  if (!found.cgroups) return { reason: found.detail };
  const blocked = userNamespacesBlocked();
  if (blocked) return { reason: blocked };
  return { cgroups: found.cgroups, detail: found.detail };
}

const detected = new Map<string, ReturnType<typeof isolationBlocker>>();

/**
 * SANDBOX_DRIVER=auto picks the isolated driver where bubblewrap, setpriv and a writable cgroup
 * hierarchy exist, else the process driver; `isolated` refuses to start without them. The
 * probe runs once per process and settings (the API and an in-process worker share it).
 */
export function selectDriver(settings: DriverSettings): DriverChoice {
  const processDriver = () =>
    createProcessDriver({
      root: settings.SANDBOX_ROOT,
      path: settings.SANDBOX_PATH,
      usageSampleTtlMs: settings.SANDBOX_USAGE_SAMPLE_TTL_MS,
    });
  if (settings.SANDBOX_DRIVER === 'process')
    return { driver: processDriver(), reason: 'SANDBOX_DRIVER=process' };
  const key = `${settings.SANDBOX_BWRAP_PATH}\0${settings.SANDBOX_CGROUP_ROOT}\0${settings.SANDBOX_CGROUP_PARENT}`;
  const found = detected.get(key) ?? isolationBlocker(settings);
  detected.set(key, found);
  if (!('cgroups' in found) || !found.cgroups) {
    if (settings.SANDBOX_DRIVER === 'isolated')
      throw new Error(`SANDBOX_DRIVER=isolated but ${found.reason}`);
    return { driver: processDriver(), reason: found.reason };
  }
  return {
    driver: createIsolatedDriver({
      root: settings.SANDBOX_ROOT,
      cgroups: found.cgroups,
      limits: {
        memoryBytes: settings.SANDBOX_MEMORY_LIMIT_MB * 1024 * 1024,
        pids: settings.SANDBOX_PIDS_LIMIT,
        cpuWeight: settings.SANDBOX_CPU_WEIGHT,
      },
      bwrapPath: settings.SANDBOX_BWRAP_PATH,
      path: settings.SANDBOX_PATH,
      uidBase: settings.SANDBOX_UID_BASE,
      uidRange: settings.SANDBOX_UID_RANGE,
      network: settings.SANDBOX_NETWORK,
      usageSampleTtlMs: settings.SANDBOX_USAGE_SAMPLE_TTL_MS,
    }),
    reason: found.detail,
  };
}
