import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** Clock ticks per second (`getconf CLK_TCK`, 100 on every Linux we run on). */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. Fields 14 and 15
 * after the `(comm)` field; comm may contain spaces, so split after its closing parenthesis.
 */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime is field 14 -> index 11, stime field 15 -> index 12.
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  } catch {
    return Number.NaN;
  }
}

/** Resident set size in bytes from /proc/<pid>/status (VmRSS). */
export function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Measures CPU use of a set of processes between start() and stop(), in % of one core. */
export function cpuMeter(pids: readonly number[]): { stop(): number[] } {
  const startedAt = process.hrtime.bigint();
  const before = pids.map(cpuSeconds);
  return {
    stop() {
      const elapsedSec = Number(process.hrtime.bigint() - startedAt) / 1e9;
      return pids.map(
        (pid, i) => Math.round(((cpuSeconds(pid) - before[i]!) / elapsedSec) * 1000) / 10,
      );
    },
  };
}

/** CPU seconds one process uses between the call and stop(). */
export function cpuSecondsMeter(pid: number): { stop(): number } {
  const before = cpuSeconds(pid);
  return { stop: () => cpuSeconds(pid) - before };
}
