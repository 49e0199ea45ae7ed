import { AppError, ErrorCode } from '@switchboard/errors';

export const DEFAULT_JSON_MAX_DEPTH = 64;

/**
 * Whether `value` nests arrays/objects deeper than `maxDepth` (a scalar is depth 0, `{}` depth 1).
 * Walks with an explicit stack: a hostile body thousands of levels deep must not overflow ours.
 */
export function exceedsDepth(value: unknown, maxDepth: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth + 1 > maxDepth) return true;
    for (const child of Array.isArray(node)
      ? node
      : Object.values(node as Record<string, unknown>)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * Refuses a body nested deeper than `maxDepth`: JSON.parse copes with thousands of levels, but
 * every later JSON.stringify, schema walk or Lua cjson call on it would throw (a 500) or crawl.
 */
export function assertJsonDepth(body: unknown, maxDepth: number): void {
  if (exceedsDepth(body, maxDepth)) {
    throw new AppError(
      ErrorCode.VALIDATION_ERROR,
      `The JSON body is nested deeper than ${maxDepth} levels.`,
      {
        location: 'body',
        reason: 'too-deep',
        maxDepth,
      },
    );
  }
}
