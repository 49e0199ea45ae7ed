import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createKeyspace } from '../src/index.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const MARK = 'MARKER';

/** The fixed leading part of every key and channel name, e.g. `sandbox:metadata:` or `ws:broadcast`. */
function keyStems(): string[] {
  const ks = createKeyspace('');
  const stems = new Set<string>();
  for (const area of [ks.sandbox, ks.realtime, ks.realtimeApi, ks.auth, ks.flags, ks.idempotency]) {
    for (const build of Object.values(area) as Array<(...args: string[]) => string>) {
      const sample = build(MARK, MARK, MARK);
      // Cut at the first argument (and its opening hash-tag brace): `sandbox:metadata:{MARKER}`
      // -> `sandbox:metadata:`; a leading tag stays: `{flags}:flag:MARKER` -> `{flags}:flag:`.
      const cut = sample.indexOf(MARK);
      stems.add(cut === -1 ? sample : sample.slice(0, cut).replace(/\{[^}]*$/, ''));
    }
  }
  for (const [name, value] of Object.entries(ks.queues))
    if (name !== 'bullmqPrefix') stems.add(value);
  return [...stems];
}

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
    return /\.(ts|mts|js|mjs|lua)$/.test(name) && !/\.test\.ts$/.test(name) ? [path] : [];
  });
}

describe('no literal keys outside packages/keyspace', () => {
  const stems = keyStems();

  it('knows the stems it looks for', () => {
    expect(stems).toEqual(
      expect.arrayContaining([
        'sandbox:metadata:',
        'ws:broadcast',
        'ws:queue:',
        'flags:changes',
        '{flags}:flag:',
      ]),
    );
  });

  it('finds none in app, package or tool sources', () => {
    const roots = ['apps', 'packages', 'tools'].flatMap((top) =>
      readdirSync(join(repoRoot, top))
        .filter((name) => !(top === 'packages' && name === 'keyspace'))
        .map((name) => join(repoRoot, top, name, 'src')),
    );
    const offenders: string[] = [];
    for (const file of roots.flatMap(sourceFiles)) {
      const text = readFileSync(file, 'utf8');
      for (const stem of stems) {
        // Quoted or templated: 'ws:broadcast', "sandbox:metadata:", `ws:queue:${...}`
        if (new RegExp(`['"\`]${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).test(text)) {
          offenders.push(`${relative(repoRoot, file)} spells "${stem}"`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
