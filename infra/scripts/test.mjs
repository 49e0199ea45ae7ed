// `npm test`: install what is missing, then lint (eslint and knip), typecheck and every test: unit and integration
// tests on private real Redis servers, then the end-to-end suite through HAProxy against the
// real topology (with a headless browser). Ends with one line "tests: N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_PACKAGES, root, setup } from './setup.mjs';

const { pnpm } = setup({ systemPackages: TEST_PACKAGES });

// Every workspace directory of pnpm-workspace.yaml: each may leave reports in .test-results.
const workspaces = ['apps', 'packages', 'tools'].flatMap((dir) =>
  readdirSync(join(root, dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(root, dir, entry.name)),
);
for (const dir of workspaces) rmSync(join(dir, '.test-results'), { recursive: true, force: true });

const run = (args) =>
  spawnSync(pnpm, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' },
  }).status;

// Unused files, exports and dependencies across the whole workspace (knip.jsonc): one root
// check, not a per-package turbo task, since an unused export is only unused workspace-wide.
console.log('[test] knip: unused files, exports and dependencies');
const knip = run(['lint:knip']);
// One code style for the whole tree (.prettierrc.json); `pnpm format` fixes what this finds.
console.log('[test] prettier: every source file formatted');
const format = run(['format:check']);

const runsDir = join(root, '.turbo', 'runs');
rmSync(runsDir, { recursive: true, force: true });
const checks = run([
  'exec',
  'turbo',
  'run',
  'lint',
  'typecheck',
  'test',
  '--continue',
  '--concurrency=1',
  '--summarize',
]);
const failedTasks = failedTurboTasks();
console.log('\n[test] end-to-end suite through HAProxy (tools/stack/e2e)');
const e2e = run(['--filter', '@switchboard/stack', 'test:e2e']);

let passed = 0;
let failed = 0;
let skipped = 0;
const reportFailures = new Map();
const failedTests = [];
for (const dir of workspaces) {
  for (const name of ['vitest.json', 'e2e.json']) {
    const file = join(dir, '.test-results', name);
    if (!existsSync(file)) continue;
    const report = JSON.parse(readFileSync(file, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + report.numTodoTests;
    if (name === 'vitest.json') reportFailures.set(packageName(dir), report.numFailedTests);
    failedTests.push(...failuresOf(report, dir));
  }
}
// A test run can fail with every test green: an unhandled error, a failing hook, a crashed
// worker. The reports do not count those, so each such run counts as one failure here.
for (const task of failedTasks) {
  console.log(`[test] failed: ${task}`);
  const [name, script] = task.split('#');
  if (script === 'test' && !reportFailures.get(name)) {
    console.log(
      `[test] ${name}: the test run failed outside any counted test (unhandled error, hook or crash); see its output above`,
    );
    failed += 1;
  }
}
// Repeated at the very end, because a CI log is often read from its tail only.
if (knip !== 0) console.log('[test] failed: knip (unused files, exports or dependencies)');
if (format !== 0)
  console.log('[test] failed: prettier (unformatted files listed above; run pnpm format)');
for (const line of failedTests) console.log(line);
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(
  knip !== 0 || format !== 0 || checks !== 0 || e2e !== 0 || failed > 0 || passed === 0 ? 1 : 0,
);

/** One line per failed test: where it is, its name, and the first line of why it failed. */
function failuresOf(report, dir) {
  const lines = [];
  const firstLine = (text) =>
    String(text ?? '')
      .split('\n')[0]
      .slice(0, 300);
  for (const file of report.testResults ?? []) {
    const where = file.name.slice(root.length + 1);
    const failed = (file.assertionResults ?? []).filter((test) => test.status === 'failed');
    for (const test of failed) {
      const message = String(test.failureMessages?.[0] ?? '');
      // The first frame in a test file says which step of the test failed.
      const frame =
        /\((\/[^)]*\.(?:test|e2e)\.ts:\d+:\d+)\)|at (\/\S*\.(?:test|e2e)\.ts:\d+:\d+)/.exec(
          message,
        );
      const at = frame ? ` (at ${(frame[1] ?? frame[2]).slice(root.length + 1)})` : '';
      lines.push(`[test] FAILED ${where} > ${test.fullName}: ${firstLine(message)}${at}`);
    }
    // A file can fail with no failed test in it: a hook, an import, an unhandled error.
    if (failed.length === 0 && file.status === 'failed')
      lines.push(`[test] FAILED ${where}: ${firstLine(file.message)}`);
  }
  return lines.length > 0 || report.numFailedTests === 0
    ? lines
    : [
        `[test] FAILED in ${dir.slice(root.length + 1)}: ${report.numFailedTests} test(s), see the output above`,
      ];
}

function packageName(dir) {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name;
}

/** Task ids (`pkg#script`) that exited non-zero, from the run summary turbo wrote. */
function failedTurboTasks() {
  if (!existsSync(runsDir)) return [];
  const [summary] = readdirSync(runsDir).filter((file) => file.endsWith('.json'));
  if (!summary) return [];
  const { tasks = [] } = JSON.parse(readFileSync(join(runsDir, summary), 'utf8'));
  return tasks.filter((task) => (task.execution?.exitCode ?? 0) !== 0).map((task) => task.taskId);
}
