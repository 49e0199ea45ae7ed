import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@switchboard/test-redis';
import { type ManagedProcess, startProcess } from './managed-process.js';
import { renderPrometheusConfig } from './prometheus-config.js';
import type { InstanceSpec } from './topology.js';

export function prometheusInstalled(): boolean {
  return spawnSync('sh', ['-c', 'command -v prometheus'], { stdio: 'ignore' }).status === 0;
}

export interface PrometheusOptions {
  root: string;
  stateDir: string;
  port: number;
  instances: InstanceSpec[];
  haproxyStatsPort: number;
  log: (line: string) => void;
}

/** Runs Prometheus with the rendered infra/prometheus config and waits until it is ready. */
export async function startPrometheus(
  options: PrometheusOptions,
): Promise<{ process: ManagedProcess; url: string }> {
  const dir = join(options.stateDir, 'prometheus');
  mkdirSync(join(dir, 'data'), { recursive: true });
  const configFile = join(dir, 'prometheus.yml');
  const address = `127.0.0.1:${options.port}`;
  writeFileSync(
    configFile,
    renderPrometheusConfig(
      readFileSync(join(options.root, 'infra', 'prometheus', 'prometheus.yml'), 'utf8'),
      {
        instances: options.instances,
        haproxyStatsTarget: `127.0.0.1:${options.haproxyStatsPort}`,
        prometheusTarget: address,
        rulesFile: join(options.root, 'infra', 'prometheus', 'alerts.yml'),
      },
    ),
  );
  const child = startProcess({
    name: 'prometheus',
    command: 'prometheus',
    args: [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=${address}`,
      '--storage.tsdb.retention.time=1d',
      '--log.level=warn',
    ],
    env: process.env,
    cwd: dir,
    log: options.log,
  });
  const url = `http://${address}`;
  await Promise.race([
    waitFor(async () => (await fetch(`${url}/-/ready`)).ok, {
      timeoutMs: 30_000,
      intervalMs: 200,
      message: 'prometheus ready',
    }),
    child.exit.then((code) => {
      throw new Error(`prometheus exited (${code}) during startup`);
    }),
  ]);
  return { process: child, url };
}
