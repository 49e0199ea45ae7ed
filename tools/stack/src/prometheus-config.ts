import { parse, stringify } from 'yaml';
import type { InstanceKind, InstanceSpec } from './topology.js';

/** Prometheus job (infra/prometheus/prometheus.yml) -> the instances it scrapes. */
const SCRAPE_JOBS: Record<string, InstanceKind> = {
  'realtime-gateway': 'gateway',
  'sandbox-service': 'sandbox-api',
  'sandbox-worker': 'sandbox-worker',
  'flag-service': 'flags',
};

interface ScrapeConfig {
  job_name: string;
  dns_sd_configs?: unknown;
  static_configs?: { targets: string[]; labels?: Record<string, string> }[];
  [key: string]: unknown;
}

export interface PrometheusRenderOptions {
  instances: InstanceSpec[];
  haproxyStatsTarget: string;
  prometheusTarget: string;
  /** Absolute path of alerts.yml (rule_files are relative to the config file otherwise). */
  rulesFile: string;
}

/**
 * Renders infra/prometheus/prometheus.yml for the dev stack: each service job's Docker DNS
 * discovery becomes static targets (one per local instance, labelled with its name), HAProxy
 * and Prometheus point at their local ports; everything else (intervals, rules) is kept.
 */
export function renderPrometheusConfig(template: string, options: PrometheusRenderOptions): string {
  const config = parse(template) as { rule_files?: string[]; scrape_configs: ScrapeConfig[] };
  config.rule_files = [options.rulesFile];
  config.scrape_configs = config.scrape_configs.map((job) => {
    const kind = SCRAPE_JOBS[job.job_name];
    const { dns_sd_configs: _discovery, static_configs: _static, ...rest } = job;
    if (kind) {
      const targets = options.instances.filter((instance) => instance.kind === kind);
      return {
        ...rest,
        static_configs: targets.map((instance) => ({
          targets: [`${instance.host}:${instance.port}`],
          labels: { instance: instance.name },
        })),
      };
    }
    if (job.job_name === 'haproxy')
      return { ...rest, static_configs: [{ targets: [options.haproxyStatsTarget] }] };
    if (job.job_name === 'prometheus')
      return { ...rest, static_configs: [{ targets: [options.prometheusTarget] }] };
    throw new Error(`prometheus.yml job ${job.job_name} is unknown to the dev stack`);
  });
  return stringify(config);
}
