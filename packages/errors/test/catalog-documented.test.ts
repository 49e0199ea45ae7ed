import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { errorCatalog } from '../src/index.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

function files(dir: string, pattern: RegExp): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory())
      return name === 'node_modules' || name === 'dist' ? [] : files(path, pattern);
    return pattern.test(name) ? [path] : [];
  });
}

describe('error catalog guard', () => {
  it('documents every code with its status in docs/api/errors.md', () => {
    const doc = readFileSync(join(repoRoot, 'docs/api/errors.md'), 'utf8');
    for (const [code, { status }] of Object.entries(errorCatalog)) {
      expect(doc, `${code} missing from docs/api/errors.md`).toMatch(
        new RegExp(`\\| \`${code}\` \\| ${status} \\|`),
      );
    }
  });

  it('finds no bare Error thrown from an HTTP route (clients only ever get AppErrors)', () => {
    const routeFiles = readdirSync(join(repoRoot, 'apps')).flatMap((app) =>
      files(join(repoRoot, 'apps', app, 'src', 'routes'), /\.ts$/),
    );
    const offenders = routeFiles
      .filter((file) => !file.endsWith('.test.ts'))
      .filter((file) => /throw new (Error|TypeError|RangeError)\(/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(repoRoot, file));
    expect(offenders).toEqual([]);
  });
});
