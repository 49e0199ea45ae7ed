import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../src/index.js';

export interface NamedExpression {
  where: string;
  expr: string;
}

interface Dashboard {
  title: string;
  panels: { title: string; targets?: { expr: string }[] }[];
}

const dashboardsDir = join(repoRoot, 'infra', 'grafana', 'dashboards');
export const alertsFile = join(repoRoot, 'infra', 'prometheus', 'alerts.yml');

export function readDashboards(): Dashboard[] {
  return readdirSync(dashboardsDir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8')) as Dashboard);
}

/** Every PromQL expression of every Grafana panel and every alert rule. */
export function allExpressions(): NamedExpression[] {
  const fromDashboards = readDashboards().flatMap((dashboard) =>
    dashboard.panels.flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({
        where: `${dashboard.title} / ${panel.title}`,
        expr: target.expr,
      })),
    ),
  );
  const rules = parse(readFileSync(alertsFile, 'utf8')) as {
    groups: { rules: { alert: string; expr: string }[] }[];
  };
  const fromAlerts = rules.groups.flatMap((group) =>
    group.rules.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr.trim() })),
  );
  return [...fromDashboards, ...fromAlerts];
}

const NOT_METRICS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'inf',
  'nan',
]);

/** Metric names an expression reads: identifiers outside label matchers and groupings, not calls. */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"[^"]*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  const names = [...stripped.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)]
    .map((match) => match[1] ?? '')
    .filter((name) => !NOT_METRICS.has(name.toLowerCase()));
  return [...new Set(names)];
}
