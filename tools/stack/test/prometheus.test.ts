import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { repoRoot } from '../src/index.js';
import { renderPrometheusConfig } from '../src/prometheus-config.js';
import type { InstanceSpec } from '../src/topology.js';
import { alertsFile, allExpressions, readDashboards } from './promql.js';

const prometheusDir = join(repoRoot, 'infra', 'prometheus');
const dir = mkdtempSync(join(tmpdir(), 'switchboard-prom-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function promtool(...args: string[]) {
  const result = spawnSync('promtool', args, { encoding: 'utf8', cwd: prometheusDir });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('infra/prometheus', () => {
  it('prometheus.yml and its rule files pass promtool check config', () => {
    const result = promtool('check', 'config', 'prometheus.yml');
    expect(result.output).toContain('SUCCESS');
    expect(result.status, result.output).toBe(0);
  });

  it('alerts.yml passes promtool check rules and has the alerts operations relies on', () => {
    const result = promtool('check', 'rules', 'alerts.yml');
    expect(result.status, result.output).toBe(0);
    const names = allExpressions()
      .filter((e) => e.where.startsWith('alert '))
      .map((e) => e.where.slice(6));
    expect(names).toEqual(
      expect.arrayContaining([
        'InstanceDown',
        'RedisDisconnected',
        'DeliveryLatencyP99High',
        'QueueDepthGrowing',
        'HighErrorRate',
        'TasksWaitingTooLong',
      ]),
    );
  });

  it('alert rules fire on the series they are meant for (promtool test rules)', () => {
    const result = promtool('test', 'rules', 'alerts.test.yml');
    expect(result.output).toContain('SUCCESS');
    expect(result.status, result.output).toBe(0);
  });

  it('the dev rendering scrapes every local instance by name and stays a valid config', () => {
    const instances: InstanceSpec[] = [
      {
        name: 'gateway-1',
        kind: 'gateway',
        script: '',
        host: '127.0.0.1',
        port: 4001,
        routed: true,
      },
      {
        name: 'gateway-2',
        kind: 'gateway',
        script: '',
        host: '127.0.0.1',
        port: 4002,
        routed: true,
      },
      {
        name: 'sandbox-1',
        kind: 'sandbox-api',
        script: '',
        host: '127.0.0.1',
        port: 4101,
        routed: true,
      },
      { name: 'flags-1', kind: 'flags', script: '', host: '127.0.0.1', port: 4201, routed: true },
    ];
    const rendered = renderPrometheusConfig(
      readFileSync(join(prometheusDir, 'prometheus.yml'), 'utf8'),
      {
        instances,
        haproxyStatsTarget: '127.0.0.1:8404',
        prometheusTarget: '127.0.0.1:9090',
        rulesFile: alertsFile,
      },
    );
    expect(rendered).not.toContain('dns_sd_configs');
    expect(rendered).toContain('127.0.0.1:4002');
    expect(rendered).toContain('instance: flags-1');
    const file = join(dir, 'prometheus.yml');
    writeFileSync(file, rendered);
    const result = promtool('check', 'config', file);
    expect(result.status, result.output).toBe(0);
  });
});

describe('infra/grafana dashboards', () => {
  it('cover gateway, sandbox and flags with the metric names of the services', () => {
    const dashboards = readDashboards();
    expect(dashboards.map((d) => d.title).sort()).toEqual([
      'Switchboard / Feature flags',
      'Switchboard / Realtime gateway',
      'Switchboard / Sandbox service',
    ]);
    const exprs = allExpressions()
      .map((e) => e.expr)
      .join('\n');
    for (const metric of [
      'websocket_connections_active',
      'websocket_connections_total',
      'websocket_messages_total',
      'websocket_message_delivery_seconds_bucket',
      'websocket_redis_connected',
      'websocket_rate_limited_total',
      'websocket_queued_messages',
      'sandbox_operations_total',
      'sandbox_state_count',
      'sandbox_executions_total',
      'sandbox_execution_duration_seconds_bucket',
      'tasks_created_total',
      'tasks_completed_total',
      'tasks_failed_total',
      'tasks_open',
      'task_wait_seconds_bucket',
      'task_duration_seconds_bucket',
      'feature_flag_evaluations_total',
      'feature_flag_sdk_update_lag_seconds',
    ]) {
      expect(exprs, metric).toContain(metric);
    }
  });

  it('every panel and alert expression is valid PromQL (checked by promtool as recording rules)', () => {
    const expressions = allExpressions();
    const rules = {
      groups: [
        {
          name: 'expressions',
          rules: expressions.map((e, i) => ({ record: `check:expr_${i}`, expr: e.expr })),
        },
      ],
    };
    const file = join(dir, 'expressions.yml');
    writeFileSync(file, stringify(rules));
    const result = promtool('check', 'rules', file);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain(`SUCCESS: ${expressions.length} rules found`);
  });

  it('have unique uids and panel ids, so provisioning neither collides nor drops panels', () => {
    const dashboards = readDashboards() as unknown as { uid: string; panels: { id: number }[] }[];
    expect(new Set(dashboards.map((d) => d.uid)).size).toBe(dashboards.length);
    for (const dashboard of dashboards)
      expect(new Set(dashboard.panels.map((p) => p.id)).size, dashboard.uid).toBe(
        dashboard.panels.length,
      );
  });

  it('every panel uses the provisioned Prometheus datasource', () => {
    for (const dashboard of readDashboards()) {
      for (const panel of dashboard.panels)
        expect((panel as { datasource?: { uid?: string } }).datasource?.uid, panel.title).toBe(
          'prometheus',
        );
    }
    const datasource = readFileSync(
      join(repoRoot, 'infra', 'grafana', 'provisioning', 'datasources', 'prometheus.yml'),
      'utf8',
    );
    expect(datasource).toContain('uid: prometheus');
  });
});
