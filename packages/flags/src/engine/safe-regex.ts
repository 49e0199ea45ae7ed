import { RE2JS } from 're2js';

/** Longest pattern a rule may carry, and longest input it is matched against. */
export const MAX_PATTERN_LENGTH = 256;
export const MAX_REGEX_INPUT_LENGTH = 4096;

const cache = new Map<string, RE2JS>();
const CACHE_LIMIT = 1000;

/**
 * Compiles with RE2 semantics (linear-time matching, no backtracking), so a rule cannot hang the
 * evaluator however hostile the pattern or the input. Throws on syntax errors and long patterns.
 */
export function compileSafeRegex(pattern: string, caseInsensitive = false): RE2JS {
  if (pattern.length > MAX_PATTERN_LENGTH)
    throw new Error(`pattern longer than ${MAX_PATTERN_LENGTH} characters`);
  const cacheKey = `${caseInsensitive ? 'i' : 's'}:${pattern}`;
  let compiled = cache.get(cacheKey);
  if (!compiled) {
    compiled = RE2JS.compile(pattern, caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(cacheKey, compiled);
  }
  return compiled;
}

/** True when `input` contains a match; over-long inputs never match. */
export function safeRegexTest(pattern: string, input: string, caseInsensitive = false): boolean {
  if (input.length > MAX_REGEX_INPUT_LENGTH) return false;
  return compileSafeRegex(pattern, caseInsensitive).test(input);
}
