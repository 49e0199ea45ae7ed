export type Prefixer = (key: string) => string;

/** KEY_PREFIX lets several stacks or test files share one Redis without colliding. */
export function prefixer(prefix: string): Prefixer {
  return prefix ? (key) => `${prefix}${key}` : (key) => key;
}
