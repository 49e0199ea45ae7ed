import { mkdtempSync, rmSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runtimeSettings } from '../config.js';
import { selectDriver } from '../drivers/driver-selection.js';
import type { SandboxDriver } from '../drivers/sandbox-driver.js';

/**
 * Freeze latency, cgroup freezer vs signals: the time from asking a driver to pause a sandbox
 * until it has confirmed every process frozen (and the same for resume), over N pauses of a
 * sandbox running 2 busy processes plus a fork loop (a pause that cannot be confirmed is
 * counted as failed, then the sandbox is resumed). Usage (as root, after the build):
 *   node apps/sandbox-service/dist/bench/freeze-latency.js [pauses=1000] [budget-seconds=300]
 */
const PAUSES = Math.min(Math.max(Number(process.argv[2] ?? 1000), 10), 100_000);
/** Per driver: a slow driver on a loaded host reports what it managed in this time. */
const BUDGET_MS = Math.min(Math.max(Number(process.argv[3] ?? 300), 10), 3600) * 1000;
const WORKLOAD =
  'i=0; while [ $i -lt 2 ]; do (while :; do :; done) & i=$((i+1)); done; while :; do sh -c "sleep 0.05" & sleep 0.01; done';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const summary = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const fmt = (value: number) => value.toFixed(2);
  return `p50 ${fmt(percentile(sorted, 50))} ms, p99 ${fmt(percentile(sorted, 99))} ms, max ${fmt(sorted.at(-1)!)} ms`;
};

async function measure(kind: 'isolated' | 'process'): Promise<void> {
  const parent = `switchboard-bench-${process.pid}`;
  const root = mkdtempSync(join(tmpdir(), `freeze-bench-${kind}-`));
  const driver: SandboxDriver = selectDriver({
    ...runtimeSettings(),
    SANDBOX_DRIVER: kind,
    SANDBOX_ROOT: root,
    SANDBOX_CGROUP_PARENT: parent,
    SANDBOX_PATH: '/usr/bin:/bin',
  }).driver;
  const sandboxId = `sbx_bench_${kind}_${process.pid}`;
  await driver.create(sandboxId);
  const running = driver.exec(sandboxId, {
    executionId: `exe_bench_${process.pid}`,
    command: '/bin/sh',
    args: ['-c', WORKLOAD],
    timeoutMs: 3_600_000,
    maxOutputBytes: 1024,
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const pauses: number[] = [];
  const resumes: number[] = [];
  let frozenCounts = 0;
  let failed = 0;
  let done = 0;
  const deadline = performance.now() + BUDGET_MS;
  try {
    for (; done < PAUSES && performance.now() < deadline; done += 1) {
      let start = performance.now();
      try {
        frozenCounts += (await driver.pause(sandboxId)).frozen;
        pauses.push(performance.now() - start);
      } catch {
        failed += 1;
      }
      start = performance.now();
      await driver.resume(sandboxId);
      resumes.push(performance.now() - start);
      // Let the workload fork again between pauses.
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  } finally {
    await driver.destroy(sandboxId);
    await running;
    rmSync(root, { recursive: true, force: true });
    for (const controller of ['freezer', 'memory', 'pids', 'cpu', 'cpuacct', ''])
      try {
        rmdirSync(join('/sys/fs/cgroup', controller, parent));
      } catch {
        // not this hierarchy's
      }
  }
  const label =
    kind === 'isolated'
      ? `cgroup freezer (${driver.capabilities().method})`
      : 'signals (SIGSTOP via /proc)';
  const confirmed = done - failed;
  console.log(
    `${label}: ${done} pauses, ${failed} not confirmed, ~${Math.round(frozenCounts / Math.max(1, confirmed))} processes each`,
  );
  console.log(`  pause  ${summary(pauses)}`);
  console.log(`  resume ${summary(resumes)}`);
}

await measure('isolated');
await measure('process');
