import { spawnTracked } from '../proc/children.js';
import type { BenchContext } from './bench-context.js';

export interface RedisBenchmarkResult {
  command: string;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Parses `redis-benchmark --csv` output: a header line, then
 * "PUBLISH <channel> <payload>","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms".
 */
export function parseRedisBenchmarkCsv(
  csv: string,
): Omit<RedisBenchmarkResult, 'command'> | undefined {
  for (const line of csv.split('\n')) {
    const cells = line.split(',').map((c) => c.replace(/"/g, '').trim());
    if (!cells[0]?.startsWith('PUBLISH')) continue;
    const [rps, , , p50, , p99, max] = cells.slice(1).map(Number);
    if (rps === undefined || Number.isNaN(rps)) return undefined;
    return {
      requestsPerSec: rps,
      p50Ms: p50 ?? Number.NaN,
      p99Ms: p99 ?? Number.NaN,
      maxMs: max ?? Number.NaN,
    };
  }
  return undefined;
}

/**
 * redis-benchmark PUBLISH on the run's private Redis: the ceiling of one Redis's PUBLISH rate,
 * with the fan-out payload size. redis-server 7.0's redis-benchmark has no built-in `-t publish`
 * test (`-t publish` runs nothing), so the command is given explicitly.
 */
export async function runRedisBenchmark(ctx: BenchContext): Promise<RedisBenchmarkResult[]> {
  const requests = ctx.args.quick ? 100_000 : 1_000_000;
  const results: RedisBenchmarkResult[] = [];
  for (const pipeline of [1, 16]) {
    const payload = 'x'.repeat(ctx.args.payloadBytes);
    const argv = [
      '-h',
      '127.0.0.1',
      '-p',
      String(ctx.redis.port),
      '-n',
      String(requests),
      '-c',
      '50',
      '-P',
      String(pipeline),
      '--csv',
      'PUBLISH',
      'bench:publish',
      payload,
    ];
    const child = spawnTracked('redis-benchmark', argv);
    let out = '';
    child.process.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => void child.kill(), 120_000);
    await child.exited;
    clearTimeout(timer);
    const parsed = parseRedisBenchmarkCsv(out);
    if (!parsed)
      throw new Error(`redis-benchmark gave no PUBLISH line: ${child.tail().slice(-300)}`);
    const command = `redis-benchmark -p <port> -n ${requests} -c 50 -P ${pipeline} PUBLISH bench:publish <${ctx.args.payloadBytes} bytes>`;
    results.push({ command, ...parsed });
    ctx.log(
      `  -P ${pipeline}: ${parsed.requestsPerSec} PUBLISH/s p50 ${parsed.p50Ms} ms p99 ${parsed.p99Ms} ms`,
    );
  }
  return results;
}
