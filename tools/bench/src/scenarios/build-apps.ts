import { spawnTracked } from '../proc/children.js';
import type { ScenarioName } from '../cli/bench-args.js';

const APPS: Partial<Record<ScenarioName, string>> = {
  switchboard: '@switchboard/realtime-gateway',
  connections: '@switchboard/realtime-gateway',
  sandbox: '@switchboard/sandbox-service',
  flags: '@switchboard/flag-service',
};

/**
 * Builds the apps the selected scenarios start (turbo, so unchanged ones come from its cache).
 * A failed build is not fatal: the scenario then finds a stale or missing dist and skips with
 * the reason.
 */
export async function buildApps(
  repoRoot: string,
  scenarios: readonly ScenarioName[],
): Promise<string[]> {
  const apps = [
    ...new Set(scenarios.map((s) => APPS[s]).filter((a): a is string => a !== undefined)),
  ];
  if (apps.length === 0) return [];
  const started = Date.now();
  const child = spawnTracked(
    'pnpm',
    [
      'exec',
      'turbo',
      'run',
      'build',
      ...apps.map((a) => `--filter=${a}`),
      '--continue',
      '--output-logs=errors-only',
    ],
    { cwd: repoRoot },
  );
  const timer = setTimeout(() => void child.kill(), 300_000);
  const code = await child.exited;
  clearTimeout(timer);
  const seconds = Math.round((Date.now() - started) / 1000);
  if (code === 0) return [`built ${apps.join(', ')} (${seconds} s)`];
  const failed = [...child.tail().matchAll(/Failed:\s+(.+)/g)].map((m) => m[1]).join(', ');
  return [
    `build of ${apps.join(', ')} failed after ${seconds} s (${failed || `exit ${code}`}); their scenarios will use what dist/ holds or skip`,
  ];
}
