/**
 * Whether `event` is selected by subscribe `events` patterns (exact types, `family.*`, `*`).
 * The gateway filters with it and the SDK re-checks with it, so both agree on what a filter means.
 */
export function matchesEventPatterns(patterns: readonly string[], event: string): boolean {
  return patterns.some(
    (pattern) =>
      pattern === '*' ||
      pattern === event ||
      (pattern.endsWith('.*') && event.startsWith(pattern.slice(0, -1))),
  );
}
