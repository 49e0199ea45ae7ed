import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Loaded into every server under test (`NODE_OPTIONS=--import=<this>`): on SIGUSR2 it writes
 * `<BENCH_PROBE_DIR>/<pid>.json` with the process's memory, its event-loop delay histogram and
 * its GC pauses since the previous report (both reset at each report). When `<pid>.cmd` says
 * `gc`, it collects garbage first, so heap figures are of live objects; `snapshot` also writes
 * `<pid>.heapsnapshot` (what each connection keeps, by constructor). Nothing of the server's
 * own code changes; the histogram's timer is the only cost (resolution 10 ms).
 */
const dir = process.env['BENCH_PROBE_DIR'];
if (dir) {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let gcCount = 0;
  let gcTotalMs = 0;
  let gcMaxMs = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcCount += 1;
      gcTotalMs += entry.duration;
      gcMaxMs = Math.max(gcMaxMs, entry.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  process.on('SIGUSR2', () => {
    // A process at its open-file limit (one raw ws server holding 20 000 sockets) cannot open
    // the report file: it goes without a report rather than dying with its connections.
    try {
      report();
    } catch {
      // no report this time
    }
  });
  const report = () => {
    const cmdFile = join(dir, `${process.pid}.cmd`);
    const cmd = existsSync(cmdFile) ? readFileSync(cmdFile, 'utf8').trim() : '';
    rmSync(cmdFile, { force: true });
    if (cmd === 'gc' || cmd === 'snapshot') {
      gc();
      gc();
    }
    if (cmd === 'snapshot') writeHeapSnapshot(join(dir, `${process.pid}.heapsnapshot`));
    const memory = process.memoryUsage();
    const figures = {
      pid: process.pid,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      heapTotalBytes: memory.heapTotal,
      externalBytes: memory.external,
      arrayBuffersBytes: memory.arrayBuffers,
      afterGc: cmd !== '',
      eventLoopDelay: {
        p50Ms: ms(delay.percentile(50)),
        p99Ms: ms(delay.percentile(99)),
        maxMs: ms(delay.max),
        meanMs: ms(delay.mean),
      },
      gc: {
        count: gcCount,
        totalMs: Math.round(gcTotalMs * 10) / 10,
        maxMs: Math.round(gcMaxMs * 10) / 10,
      },
    };
    delay.reset();
    gcCount = 0;
    gcTotalMs = 0;
    gcMaxMs = 0;
    const file = join(dir, `${process.pid}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(figures));
    renameSync(`${file}.tmp`, file);
  };
}
