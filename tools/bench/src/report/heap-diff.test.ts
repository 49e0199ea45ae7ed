import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { heapGrowth, heapKinds } from './heap-diff.js';

class KeptPerConnection {
  constructor(readonly payload = new Array(16).fill(0)) {}
}

describe('heap growth between two snapshots', () => {
  it('finds the objects each connection added, by constructor, per connection', () => {
    const dir = mkdtempSync(join(tmpdir(), 'heap-diff-'));
    const before = heapKinds(writeHeapSnapshot(join(dir, 'before.heapsnapshot')));
    const kept = Array.from({ length: 1000 }, () => new KeptPerConnection());
    const after = heapKinds(writeHeapSnapshot(join(dir, 'after.heapsnapshot')));
    const growth = heapGrowth(before, after, kept.length, 50);
    const row = growth.find((g) => g.kind === 'object:KeptPerConnection');
    expect(row?.perConnection).toBe(1);
    expect(row?.bytesPerConnection).toBeGreaterThan(0);
    expect(kept).toHaveLength(1000);
  });

  it('reads a minimal snapshot by its own field layout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'heap-diff-'));
    const file = join(dir, 'tiny.heapsnapshot');
    writeFileSync(
      file,
      JSON.stringify({
        snapshot: {
          meta: { node_fields: ['type', 'name', 'self_size'], node_types: [['string', 'object']] },
        },
        nodes: [1, 0, 40, 1, 0, 24, 0, 1, 16],
        strings: ['Session', 'hello'],
      }),
    );
    const kinds = heapKinds(file);
    expect(kinds.get('object:Session')).toEqual({
      kind: 'object:Session',
      count: 2,
      selfBytes: 64,
    });
    expect(kinds.get('string')).toEqual({ kind: 'string', count: 1, selfBytes: 16 });
  });
});
