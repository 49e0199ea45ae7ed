import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * The only sources that may read the environment: the config package, each app's config, the
 * entry points that call the config loader, and command-line or test-support code that starts
 * processes. Everything else gets its settings passed in, parsed and checked once at start.
 */
const ALLOWED: RegExp[] = [
  /^packages\/config\/src\//,
  /^apps\/[^/]+\/src\/config\.ts$/,
  /^apps\/[^/]+\/src\/(server|worker)\.ts$/,
  /^packages\/auth\/src\/cli\//,
  /^packages\/test-kit\/src\//,
];

/** `process.env`, `process['env']`, `const { env } = process`. */
const ENV_READ = /process\.env\b|process\[['"]env['"]\]|\{[^}]*\benv\b[^}]*\}\s*=\s*process\b/;

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory())
      return name === 'node_modules' || name === 'dist' ? [] : sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(name) && !/\.test\.ts$/.test(name) ? [path] : [];
  });
}

/** Files under apps/ and packages/ (not tools/) whose source reads `process.env` but may not. */
function envReadersOutsideConfig(root: string): string[] {
  const sources = ['apps', 'packages'].flatMap((top) =>
    readdirSync(join(root, top)).flatMap((name) => sourceFiles(join(root, top, name, 'src'))),
  );
  return sources
    .map((file) => relative(root, file).split('\\').join('/'))
    .filter((file) => !ALLOWED.some((allowed) => allowed.test(file)))
    .filter((file) => ENV_READ.test(readFileSync(join(root, file), 'utf8')));
}

describe('environment reads', () => {
  it('happen only in the config package, app configs and entry points', () => {
    expect(envReadersOutsideConfig(repoRoot)).toEqual([]);
  });

  it('are caught anywhere else, and allowed in a config file', () => {
    const root = mkdtempSync(join(tmpdir(), 'env-reads-'));
    try {
      const files: Record<string, string> = {
        'apps/demo/src/config.ts': "export const port = process.env['PORT'];\n",
        'apps/demo/src/routes/limits.ts': 'export const max = Number(process.env.MAX ?? 10);\n',
        'packages/demo/src/reader.ts': "export const prefix = process['env'].KEY_PREFIX;\n",
        'packages/demo/src/destructured.ts':
          "const { env } = process;\nexport const x = env['X'];\n",
        'packages/demo/src/clean.ts': 'export const answer = 42;\n',
      };
      for (const [file, text] of Object.entries(files)) {
        mkdirSync(dirname(join(root, file)), { recursive: true });
        writeFileSync(join(root, file), text);
      }
      expect(envReadersOutsideConfig(root).sort()).toEqual([
        'apps/demo/src/routes/limits.ts',
        'packages/demo/src/destructured.ts',
        'packages/demo/src/reader.ts',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
