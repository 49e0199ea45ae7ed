// `npm test`: install what is missing, then lint, typecheck and every test: unit and integration
// tests on private real Redis servers, then the end-to-end suite through HAProxy against the
// real topology (with a headless browser). Ends with one line "tests: N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_PACKAGES, root, setup } from './setup.mjs';

const { pnpm } = setup({ systemPackages: TEST_PACKAGES });

const workspaces = ['apps', 'packages'].flatMap((dir) =>
  readdirSync(join(root, dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(root, dir, entry.name)),
);
for (const dir of workspaces) rmSync(join(dir, '.test-results'), { recursive: true, force: true });

const run = (args) =>
  spawnSync(pnpm, args, { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' } }).status;

const runsDir = join(root, '.turbo', 'runs');
rmSync(runsDir, { recursive: true, force: true });
const checks = run(['exec', 'turbo', 'run', 'lint', 'typecheck', 'test', '--continue', '--concurrency=1', '--summarize']);
const failedTasks = failedTurboTasks();
console.log('\n[test] end-to-end suite through HAProxy (packages/stack/e2e)');
const e2e = run(['--filter', '@switchboard/stack', 'test:e2e']);

let passed = 0;
let failed = 0;
let skipped = 0;
const reportFailures = new Map();
for (const dir of workspaces) {
  for (const name of ['vitest.json', 'e2e.json']) {
    const file = join(dir, '.test-results', name);
    if (!existsSync(file)) continue;
    const report = JSON.parse(readFileSync(file, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + report.numTodoTests;
    if (name === 'vitest.json') reportFailures.set(packageName(dir), report.numFailedTests);
  }
}
// A test run can fail with every test green: an unhandled error, a failing hook, a crashed
// worker. The reports do not count those, so each such run counts as one failure here.
for (const task of failedTasks) {
  console.log(`[test] failed: ${task}`);
  const [name, script] = task.split('#');
  if (script === 'test' && !reportFailures.get(name)) {
    console.log(`[test] ${name}: the test run failed outside any counted test (unhandled error, hook or crash); see its output above`);
    failed += 1;
  }
}
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(checks !== 0 || e2e !== 0 || failed > 0 || passed === 0 ? 1 : 0);

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
