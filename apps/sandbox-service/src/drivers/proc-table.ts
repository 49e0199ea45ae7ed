import { readFile, readdir } from 'node:fs/promises';

/** One line of /proc/<pid>/stat, the fields the driver needs. */
export interface ProcEntry {
  pid: number;
  ppid: number;
  pgrp: number;
  session: number;
  /** R running, S sleeping, D disk, T stopped (SIGSTOP), t traced, Z zombie, X dead. */
  state: string;
  cpuTicks: number;
  rssPages: number;
}

export const SANDBOX_ENV = 'SWITCHBOARD_SANDBOX_ID';
export const EXECUTION_ENV = 'SWITCHBOARD_EXECUTION_ID';
const TICKS_PER_SECOND = 100; // USER_HZ on Linux
export const PAGE_SIZE = 4096;

export function cpuSeconds(entry: ProcEntry): number {
  return entry.cpuTicks / TICKS_PER_SECOND;
}

/** Parses /proc/<pid>/stat; the command name may contain spaces and parentheses, so split after the last ')'. */
function parseStat(text: string): ProcEntry | undefined {
  const close = text.lastIndexOf(')');
  if (close === -1) return undefined;
  const pid = Number(text.slice(0, text.indexOf(' ')));
  const rest = text.slice(close + 2).split(' ');
  // rest[0] = state (field 3); utime/stime are fields 14/15; rss is field 24.
  return {
    pid,
    state: rest[0] ?? '?',
    ppid: Number(rest[1]),
    pgrp: Number(rest[2]),
    session: Number(rest[3]),
    cpuTicks: Number(rest[11]) + Number(rest[12]),
    rssPages: Number(rest[21]),
  };
}

export async function readProc(pid: number): Promise<ProcEntry | undefined> {
  try {
    return parseStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // gone meanwhile
  }
}

async function readMarkers(pid: number): Promise<{ sandbox?: string; execution?: string }> {
  try {
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8');
    const markers: { sandbox?: string; execution?: string } = {};
    for (const pair of environ.split('\0')) {
      if (pair.startsWith(`${SANDBOX_ENV}=`)) markers.sandbox = pair.slice(SANDBOX_ENV.length + 1);
      else if (pair.startsWith(`${EXECUTION_ENV}=`))
        markers.execution = pair.slice(EXECUTION_ENV.length + 1);
    }
    return markers;
  } catch {
    return {};
  }
}

/** Every process in /proc (but this one) with the markers of its environment, read in one pass. */
async function readTable(): Promise<{
  entries: ProcEntry[];
  markers: Map<number, { sandbox?: string; execution?: string }>;
}> {
  const names = await readdir('/proc');
  const entries = (
    await Promise.all(
      names.filter((name) => /^\d+$/.test(name)).map((name) => readProc(Number(name))),
    )
  ).filter((entry): entry is ProcEntry => entry !== undefined && entry.pid !== process.pid);
  const markers = new Map<number, { sandbox?: string; execution?: string }>();
  await Promise.all(
    entries.map(async (entry) => markers.set(entry.pid, await readMarkers(entry.pid))),
  );
  return { entries, markers };
}

const alive = (entry: ProcEntry) => entry.state !== 'Z' && entry.state !== 'X';

/**
 * Every live process of a sandbox (or of one execution), found in /proc rather than remembered,
 * so any worker on the host can freeze what another worker started. A process belongs to the
 * sandbox when it carries the sandbox's environment marker (inherited through fork/exec and
 * setsid) or descends from one that does (covers children that cleared their environment).
 * Always a fresh scan: pause, resume and kill need the exact list of this moment.
 */
export async function sandboxProcesses(
  sandboxId: string,
  executionId?: string,
): Promise<ProcEntry[]> {
  const { entries, markers } = await readTable();
  const members = new Set<number>();
  for (const entry of entries) {
    const marker = markers.get(entry.pid);
    if (
      marker?.sandbox === sandboxId &&
      (executionId === undefined || marker.execution === executionId)
    )
      members.add(entry.pid);
  }
  const children = new Map<number, ProcEntry[]>();
  for (const entry of entries)
    children.set(entry.ppid, [...(children.get(entry.ppid) ?? []), entry]);
  const queue = [...members];
  while (queue.length > 0) {
    for (const child of children.get(queue.pop()!) ?? []) {
      if (!members.has(child.pid)) {
        members.add(child.pid);
        queue.push(child.pid);
      }
    }
  }
  return entries.filter((entry) => members.has(entry.pid) && alive(entry));
}

/**
 * Every live process on the host grouped by the sandbox it belongs to (same membership rule as
 * sandboxProcesses: its own marker, else the nearest marked ancestor's), from one scan of /proc.
 */
export async function processesBySandbox(): Promise<Map<string, ProcEntry[]>> {
  const { entries, markers } = await readTable();
  const byPid = new Map(entries.map((entry) => [entry.pid, entry]));
  const owner = new Map<number, string | undefined>();
  const ownerOf = (pid: number): string | undefined => {
    // Walk up to the nearest marked ancestor; remember every step so the whole pass stays linear.
    const path: number[] = [];
    let found: string | undefined;
    for (let current = byPid.get(pid); current; current = byPid.get(current.ppid)) {
      if (owner.has(current.pid)) {
        found = owner.get(current.pid);
        break;
      }
      path.push(current.pid);
      const sandbox = markers.get(current.pid)?.sandbox;
      if (sandbox !== undefined) {
        found = sandbox;
        break;
      }
      if (current.ppid === current.pid || path.length > byPid.size) break;
    }
    for (const step of path) owner.set(step, found);
    return found;
  };
  const groups = new Map<string, ProcEntry[]>();
  for (const entry of entries) {
    const sandbox = ownerOf(entry.pid);
    if (sandbox === undefined || !alive(entry)) continue;
    const group = groups.get(sandbox);
    if (group) group.push(entry);
    else groups.set(sandbox, [entry]);
  }
  return groups;
}

export function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // ESRCH: it exited meanwhile, which is fine for every caller
  }
}
