import { describe, expect, it } from 'vitest';
import { type Constraint, constraintHolds, MAX_REGEX_INPUT_LENGTH } from '../src/index.js';

type Row = [string, Omit<Constraint, 'attribute'>, unknown, boolean];

// operator, constraint, attribute value, expected (negate then expects the opposite)
const rows: Row[] = [
  ['in hit', { operator: 'in', values: ['a', 'b'] }, 'b', true],
  ['in miss', { operator: 'in', values: ['a', 'b'] }, 'c', false],
  ['in case-insensitive', { operator: 'in', values: ['ABC'], caseInsensitive: true }, 'abc', true],
  ['in number attribute', { operator: 'in', values: ['7'] }, 7, true],
  ['not_in hit', { operator: 'not_in', values: ['a'] }, 'b', true],
  ['not_in miss', { operator: 'not_in', values: ['a'] }, 'a', false],
  ['not_in missing attribute', { operator: 'not_in', values: ['a'] }, undefined, true],
  ['equals hit', { operator: 'equals', value: 'prod' }, 'prod', true],
  ['equals miss', { operator: 'equals', value: 'prod' }, 'staging', false],
  [
    'equals case-insensitive',
    { operator: 'equals', value: 'PROD', caseInsensitive: true },
    'prod',
    true,
  ],
  ['equals missing attribute', { operator: 'equals', value: 'prod' }, undefined, false],
  ['starts_with hit', { operator: 'starts_with', values: ['x', 'dlr-'] }, 'dlr-42', true],
  ['starts_with miss', { operator: 'starts_with', values: ['dlr-'] }, 'usr-1', false],
  ['ends_with hit', { operator: 'ends_with', values: ['@acme.com'] }, 'a@acme.com', true],
  ['ends_with miss', { operator: 'ends_with', values: ['@acme.com'] }, 'a@evil.com', false],
  ['contains hit', { operator: 'contains', values: ['beta'] }, 'v2-beta-3', true],
  ['contains miss', { operator: 'contains', values: ['beta'] }, 'v2-rc', false],
  ['regex hit', { operator: 'regex', value: '^u[0-9]+$' }, 'u123', true],
  ['regex miss', { operator: 'regex', value: '^u[0-9]+$' }, 'u12x', false],
  [
    'regex case-insensitive',
    { operator: 'regex', value: '^abc$', caseInsensitive: true },
    'ABC',
    true,
  ],
  [
    'regex over-long input never matches',
    { operator: 'regex', value: 'a' },
    'a'.repeat(MAX_REGEX_INPUT_LENGTH + 1),
    false,
  ],
  [
    'regex catastrophic pattern is linear',
    { operator: 'regex', value: '^(a+)+$' },
    `${'a'.repeat(4000)}!`,
    false,
  ],
  ['semver_eq hit', { operator: 'semver_eq', value: '1.2.3' }, '1.2.3', true],
  ['semver_eq miss', { operator: 'semver_eq', value: '1.2.3' }, '1.2.4', false],
  ['semver_lt hit', { operator: 'semver_lt', value: '2.0.0' }, '1.10.0', true],
  ['semver_lt prerelease', { operator: 'semver_lt', value: '2.0.0' }, '2.0.0-rc.1', true],
  ['semver_lt miss', { operator: 'semver_lt', value: '2.0.0' }, '2.0.0', false],
  ['semver_gt hit', { operator: 'semver_gt', value: '1.2.3' }, '1.10.0', true],
  ['semver_gt invalid attribute', { operator: 'semver_gt', value: '1.2.3' }, 'latest', false],
  ['num_eq hit', { operator: 'num_eq', value: 5 }, '5.0', true],
  ['num_eq miss', { operator: 'num_eq', value: 5 }, 6, false],
  ['num_lt hit', { operator: 'num_lt', value: 10 }, 9, true],
  ['num_lt miss', { operator: 'num_lt', value: 10 }, 10, false],
  ['num_lte hit', { operator: 'num_lte', value: 10 }, 10, true],
  ['num_lte miss', { operator: 'num_lte', value: 10 }, 11, false],
  ['num_gt hit', { operator: 'num_gt', value: '2.5' }, 3, true],
  ['num_gt miss', { operator: 'num_gt', value: 2.5 }, 2.5, false],
  ['num_gte hit', { operator: 'num_gte', value: 3 }, 3, true],
  ['num_gte miss', { operator: 'num_gte', value: 3 }, 2, false],
  ['num not a number', { operator: 'num_gt', value: 3 }, 'many', false],
  ['num empty string', { operator: 'num_lt', value: 3 }, '', false],
  [
    'date_before hit',
    { operator: 'date_before', value: '2030-01-01T00:00:00Z' },
    '2029-12-31T23:59:59Z',
    true,
  ],
  [
    'date_before miss',
    { operator: 'date_before', value: '2030-01-01T00:00:00Z' },
    '2030-01-02T00:00:00Z',
    false,
  ],
  ['date_after hit', { operator: 'date_after', value: '2020-01-01' }, '2021-06-01', true],
  ['date_after miss', { operator: 'date_after', value: '2020-01-01' }, '2019-06-01', false],
  ['date invalid attribute', { operator: 'date_after', value: '2020-01-01' }, 'yesterday', false],
];

describe('constraint operators', () => {
  it.each(rows)('%s', (_name, constraint, value, expected) => {
    const context = value === undefined ? {} : { attr: value };
    expect(constraintHolds({ attribute: 'attr', ...constraint }, context)).toBe(expected);
  });

  it.each(rows)('%s, negated', (_name, constraint, value, expected) => {
    const context = value === undefined ? {} : { attr: value };
    expect(constraintHolds({ attribute: 'attr', ...constraint, negate: true }, context)).toBe(
      !expected,
    );
  });

  it('covers every operator', () => {
    const covered = new Set(rows.map(([, constraint]) => constraint.operator));
    expect(covered.size).toBe(17);
  });

  it('lets targetingKey and userId stand in for each other', () => {
    expect(
      constraintHolds(
        { attribute: 'targetingKey', operator: 'in', values: ['u1'] },
        { userId: 'u1' },
      ),
    ).toBe(true);
    expect(
      constraintHolds(
        { attribute: 'userId', operator: 'in', values: ['u1'] },
        { targetingKey: 'u1' },
      ),
    ).toBe(true);
  });

  it('compares currentTime with now when the context has none', () => {
    expect(
      constraintHolds(
        { attribute: 'currentTime', operator: 'date_after', value: '2000-01-01' },
        {},
      ),
    ).toBe(true);
    expect(
      constraintHolds(
        { attribute: 'currentTime', operator: 'date_before', value: '2000-01-01' },
        {},
      ),
    ).toBe(false);
  });
});
