export interface Change {
  path: string;
  from?: unknown;
  to?: unknown;
}

/** JSON-pointer paths where `after` differs from `before` (objects compared key by key). */
export function jsonDiff(before: unknown, after: unknown, path = ''): Change[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const isObject = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null;
  if (!isObject(before) || !isObject(after) || Array.isArray(before) !== Array.isArray(after))
    return [{ path: path || '/', from: before, to: after }];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.flatMap((key) => {
    const child = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!(key in after)) return [{ path: child, from: before[key] }];
    if (!(key in before)) return [{ path: child, to: after[key] }];
    return jsonDiff(before[key], after[key], child);
  });
}
