import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  redis: string;
  kernel: string;
  nofileLimit: string;
}

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

export function describeMachine(): MachineInfo {
  const redisLine = run('redis-server', ['--version']);
  return {
    nproc: Number(run('nproc', [])) || cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    redis: /v=([\d.]+)/.exec(redisLine)?.[1] ?? redisLine,
    kernel: run('uname', ['-r']),
    nofileLimit: run('sh', ['-c', 'echo "soft $(ulimit -Sn) / hard $(ulimit -Hn)"']),
  };
}
