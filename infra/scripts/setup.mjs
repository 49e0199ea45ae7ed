// Brings a fresh Debian machine with only Node + npm to a built workspace:
// pinned pnpm, system packages (redis-server, haproxy), `pnpm install --frozen-lockfile`,
// and `turbo run build`. Plain Node with no dependencies, because nothing is installed yet.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pinnedPnpm = JSON.parse(
  readFileSync(join(root, 'package.json'), 'utf8'),
).packageManager.split('@')[1];

function log(message) {
  console.log(`[setup] ${message}`);
}

function commandExists(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.status !== 0) {
    console.error(
      `[setup] failed: ${cmd} ${args.join(' ')} (exit ${result.status ?? result.signal})`,
    );
    process.exit(result.status ?? 1);
  }
}

/** Returns the path of a pnpm binary of the pinned version, installing it under .tools/ if needed. */
export function ensurePnpm() {
  try {
    const version = execFileSync('pnpm', ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (version === pinnedPnpm) return 'pnpm';
  } catch {
    // not on PATH: fall through to the local copy
  }
  const local = join(root, '.tools', 'node_modules', '.bin', 'pnpm');
  if (!existsSync(local)) {
    log(`installing pnpm@${pinnedPnpm} into .tools/`);
    run('npm', [
      'install',
      '--prefix',
      join(root, '.tools'),
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      `pnpm@${pinnedPnpm}`,
    ]);
  }
  // turbo and pnpm scripts look pnpm up on PATH.
  process.env.PATH = `${dirname(local)}:${process.env.PATH}`;
  return local;
}

let aptUpdated = false;
/** Installs Debian packages whose command is missing; as non-root, says what to run and exits. */
export function ensureSystemPackages(packages) {
  const missing = packages.filter(({ command }) => !commandExists(command));
  if (missing.length === 0) return;
  const names = missing.map((p) => p.apt).join(' ');
  if (process.getuid?.() !== 0) {
    console.error(
      `[setup] missing ${names}: run "sudo apt-get install -y ${names}" and try again.`,
    );
    process.exit(1);
  }
  if (!aptUpdated) {
    log('apt-get update');
    run('apt-get', ['update', '-qq'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    aptUpdated = true;
  }
  log(`apt-get install -y ${names}`);
  run(
    'apt-get',
    ['install', '-y', '-qq', '--no-install-recommends', ...missing.map((p) => p.apt)],
    {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    },
  );
}

/** What `npm start` runs: Redis, the load balancer, and bubblewrap for isolated sandboxes. */
export const RUNTIME_PACKAGES = [
  { command: 'redis-server', apt: 'redis-server' },
  { command: 'haproxy', apt: 'haproxy' },
  { command: 'bwrap', apt: 'bubblewrap' },
];

/** What `npm test` adds: promtool for the alert/dashboard checks, Chromium for the browser test. */
export const TEST_PACKAGES = [
  ...RUNTIME_PACKAGES,
  { command: 'promtool', apt: 'prometheus' },
  { command: 'chromium', apt: 'chromium' },
];

export function setup({ build = true, systemPackages = RUNTIME_PACKAGES } = {}) {
  ensureSystemPackages(systemPackages);
  const pnpm = ensurePnpm();
  log('pnpm install --frozen-lockfile');
  run(pnpm, ['install', '--frozen-lockfile', '--prefer-offline', '--reporter=append-only'], {
    env: { ...process.env, CI: 'true' },
  });
  if (build) {
    log('turbo run build');
    run(pnpm, ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']);
  }
  return { pnpm };
}

if (import.meta.url === `file://${process.argv[1]}`) setup();
