import { existsSync, lstatSync, readlinkSync } from 'node:fs';

export interface BwrapSpec {
  bwrapPath: string;
  /** The sandbox directory: mounted at the same path, the only writable host path. */
  directory: string;
  uid: number;
  gid: number;
  /** The complete environment; nothing of the worker's is inherited. */
  env: Record<string, string>;
  network: boolean;
  /** Files the wrapper writes its pid into before anything of the sandbox runs. */
  cgroupProcs: string[];
  command: string;
  args: string[];
}

/** Read-only system paths; on merged-/usr hosts /bin, /lib... are symlinks and stay symlinks. */
const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc'];

function systemMounts(): string[] {
  const args: string[] = [];
  for (const path of SYSTEM_DIRS) {
    if (!existsSync(path)) continue;
    if (lstatSync(path).isSymbolicLink()) args.push('--symlink', readlinkSync(path), path);
    else args.push('--ro-bind', path, path);
  }
  return args;
}

/**
 * The command line that runs one execution: `sh` puts itself into the execution's cgroup, then
 * execs `setpriv` (drops to the sandbox's uid/gid, no supplementary groups) which execs
 * `bwrap`. Everything the sandbox will ever run descends from a process that was already in the
 * cgroup before it exec'd anything, so no fork can escape accounting, freezing or the final kill.
 * A failed cgroup write aborts before bwrap runs (exit 125).
 */
export function bwrapCommand(spec: BwrapSpec): { command: string; args: string[] } {
  const enter =
    'for f in "$@"; do shift; [ "$f" = -- ] && break; echo $$ > "$f" || exit 125; done; exec "$@"';
  const env = Object.entries(spec.env).flatMap(([name, value]) => ['--setenv', name, value]);
  const bwrap = [
    spec.bwrapPath,
    '--unshare-all',
    ...(spec.network ? ['--share-net'] : []),
    '--die-with-parent',
    '--new-session',
    '--uid',
    String(spec.uid),
    '--gid',
    String(spec.gid),
    ...systemMounts(),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
    '--bind',
    spec.directory,
    spec.directory,
    '--chdir',
    spec.directory,
    '--clearenv',
    ...env,
    '--',
    spec.command,
    ...spec.args,
  ];
  return {
    command: '/bin/sh',
    args: [
      '-c',
      enter,
      'sandbox-enter',
      ...spec.cgroupProcs,
      '--',
      'setpriv',
      `--reuid=${spec.uid}`,
      `--regid=${spec.gid}`,
      '--clear-groups',
      '--',
      ...bwrap,
    ],
  };
}
