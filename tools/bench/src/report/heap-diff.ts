import { readFileSync } from 'node:fs';

/** Objects of one kind (V8 node type and constructor or closure name) in a heap snapshot. */
export interface HeapKind {
  kind: string;
  count: number;
  selfBytes: number;
}

/** What a heap gained between two snapshots, per connection, by kind (largest first). */
export interface HeapGrowth {
  kind: string;
  perConnection: number;
  bytesPerConnection: number;
}

interface SnapshotJson {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/**
 * Sums a `.heapsnapshot` (V8's JSON format) by kind: `<type>:<name>` where the name of an
 * object is its constructor's and of a closure its function's. Strings, code and numbers are
 * summed by type alone, their names being their contents.
 */
export function heapKinds(file: string): Map<string, HeapKind> {
  const json = JSON.parse(readFileSync(file, 'utf8')) as SnapshotJson;
  const fields = json.snapshot.meta.node_fields;
  const types = json.snapshot.meta.node_types[0];
  const stride = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const kinds = new Map<string, HeapKind>();
  for (let i = 0; i < json.nodes.length; i += stride) {
    const type = types[json.nodes[i + typeAt]!] ?? 'unknown';
    const named = type === 'object' || type === 'closure' || type === 'native';
    const kind = named ? `${type}:${json.strings[json.nodes[i + nameAt]!]}` : type;
    const entry = kinds.get(kind) ?? { kind, count: 0, selfBytes: 0 };
    entry.count += 1;
    entry.selfBytes += json.nodes[i + sizeAt]!;
    kinds.set(kind, entry);
  }
  return kinds;
}

/** The kinds that grew most between `before` and `after`, divided by the connections added. */
export function heapGrowth(
  before: Map<string, HeapKind>,
  after: Map<string, HeapKind>,
  connections: number,
  top = 15,
): HeapGrowth[] {
  const round = (x: number) => Math.round(x * 100) / 100;
  return [...after.values()]
    .map((a) => {
      const b = before.get(a.kind);
      return {
        kind: a.kind,
        perConnection: round((a.count - (b?.count ?? 0)) / connections),
        bytesPerConnection: round((a.selfBytes - (b?.selfBytes ?? 0)) / connections),
      };
    })
    .sort((x, y) => y.bytesPerConnection - x.bytesPerConnection)
    .slice(0, top);
}
