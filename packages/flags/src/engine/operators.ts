import semver from 'semver';
import type { FlagContext } from '../flag-reader.js';
import type { Constraint, Operator } from '../model/flag-schema.js';
import { attributeOf, attributeString } from './context.js';
import { safeRegexTest } from './safe-regex.js';

type Check = (actual: string, constraint: Constraint) => boolean;

const lower = (text: string, constraint: Constraint) =>
  constraint.caseInsensitive ? text.toLowerCase() : text;
const listOf = (constraint: Constraint) =>
  (constraint.values ?? []).map((value) => lower(value, constraint));
const single = (constraint: Constraint) => String(constraint.value ?? '');

function numbers(actual: string, constraint: Constraint): [number, number] | undefined {
  const a = Number(actual);
  const b = Number(constraint.value);
  return actual.trim() !== '' && Number.isFinite(a) && Number.isFinite(b) ? [a, b] : undefined;
}

function semvers(actual: string, constraint: Constraint): [string, string] | undefined {
  const a = semver.valid(actual);
  const b = semver.valid(single(constraint));
  return a && b ? [a, b] : undefined;
}

function dates(actual: string, constraint: Constraint): [number, number] | undefined {
  const a = Date.parse(actual);
  const b =
    typeof constraint.value === 'number' ? constraint.value : Date.parse(single(constraint));
  return Number.isFinite(a) && Number.isFinite(b) ? [a, b] : undefined;
}

const checks: Record<Operator, Check> = {
  in: (actual, c) => listOf(c).includes(lower(actual, c)),
  not_in: (actual, c) => !listOf(c).includes(lower(actual, c)),
  equals: (actual, c) => lower(actual, c) === lower(single(c), c),
  starts_with: (actual, c) => listOf(c).some((prefix) => lower(actual, c).startsWith(prefix)),
  ends_with: (actual, c) => listOf(c).some((suffix) => lower(actual, c).endsWith(suffix)),
  contains: (actual, c) => listOf(c).some((part) => lower(actual, c).includes(part)),
  regex: (actual, c) => safeRegexTest(single(c), actual, c.caseInsensitive),
  semver_eq: (actual, c) => compare(semvers(actual, c), ([a, b]) => semver.eq(a, b)),
  semver_lt: (actual, c) => compare(semvers(actual, c), ([a, b]) => semver.lt(a, b)),
  semver_gt: (actual, c) => compare(semvers(actual, c), ([a, b]) => semver.gt(a, b)),
  num_eq: (actual, c) => compare(numbers(actual, c), ([a, b]) => a === b),
  num_lt: (actual, c) => compare(numbers(actual, c), ([a, b]) => a < b),
  num_lte: (actual, c) => compare(numbers(actual, c), ([a, b]) => a <= b),
  num_gt: (actual, c) => compare(numbers(actual, c), ([a, b]) => a > b),
  num_gte: (actual, c) => compare(numbers(actual, c), ([a, b]) => a >= b),
  date_before: (actual, c) => compare(dates(actual, c), ([a, b]) => a < b),
  date_after: (actual, c) => compare(dates(actual, c), ([a, b]) => a > b),
};

function compare<T>(pair: T | undefined, test: (pair: T) => boolean): boolean {
  return pair !== undefined && test(pair);
}

/**
 * One constraint against a context. A missing or non-scalar attribute satisfies only `not_in`
 * (as in Unleash); `negate` inverts the outcome in every case.
 */
export function constraintHolds(constraint: Constraint, context: FlagContext): boolean {
  const actual = attributeString(attributeOf(context, constraint.attribute));
  const outcome =
    actual === undefined
      ? constraint.operator === 'not_in'
      : checks[constraint.operator](actual, constraint);
  return constraint.negate ? !outcome : outcome;
}
