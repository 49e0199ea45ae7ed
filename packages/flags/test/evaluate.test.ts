import { describe, expect, it } from 'vitest';
import {
  type EvaluationResult,
  type FlagContext,
  evaluateFlag,
  isEnabledResult,
} from '../src/index.js';
import { flag } from './fixtures.js';

const multi = flag({
  type: 'string',
  variants: { red: 'R', green: 'G', blue: 'B' },
  defaultVariant: 'red',
  offVariant: 'blue',
  rules: [
    {
      constraints: [{ attribute: 'dealershipId', operator: 'in', values: ['d1'] }],
      variant: 'green',
    },
    {
      constraints: [
        { attribute: 'environment', operator: 'equals', value: 'prod' },
        { attribute: 'plan', operator: 'in', values: ['pro'] },
      ],
      variant: 'blue',
    },
    {
      constraints: [{ attribute: 'environment', operator: 'equals', value: 'prod' }],
      rollout: {
        variants: [
          { variant: 'green', weight: 50 },
          { variant: 'blue', weight: 50 },
        ],
      },
    },
  ],
});

type Row = [string, Parameters<typeof flag>[0], FlagContext, Partial<EvaluationResult>];

const rows: Row[] = [
  ['no rules: STATIC default', {}, {}, { value: true, variant: 'on', reason: 'STATIC' }],
  [
    'kill switch off: DISABLED with off variant',
    { enabled: false },
    {},
    { value: false, variant: 'off', reason: 'DISABLED' },
  ],
  [
    'kill switch beats matching rules',
    { ...multi, enabled: false },
    { dealershipId: 'd1' },
    { value: 'B', variant: 'blue', reason: 'DISABLED' },
  ],
  [
    'first rule matches: TARGETING_MATCH',
    multi,
    { dealershipId: 'd1', environment: 'prod', plan: 'pro' },
    { value: 'G', reason: 'TARGETING_MATCH' },
  ],
  [
    'constraints are ANDed: second rule needs both',
    multi,
    { environment: 'prod', plan: 'pro' },
    { value: 'B', reason: 'TARGETING_MATCH' },
  ],
  ['rollout rule: SPLIT', multi, { environment: 'prod', targetingKey: 'u1' }, { reason: 'SPLIT' }],
  [
    'no rule matches: DEFAULT',
    multi,
    { environment: 'dev' },
    { value: 'R', variant: 'red', reason: 'DEFAULT' },
  ],
  [
    'rollout without stickiness value: ERROR TARGETING_KEY_MISSING',
    multi,
    { environment: 'prod' },
    { reason: 'ERROR', errorCode: 'TARGETING_KEY_MISSING', value: 'R' },
  ],
  [
    'archived: FLAG_NOT_FOUND',
    { archived: true },
    {},
    { reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' },
  ],
];

describe('evaluateFlag', () => {
  it.each(rows)('%s', (_name, overrides, context, expected) => {
    expect(evaluateFlag(flag(overrides), context)).toMatchObject({
      key: 'F',
      version: 1,
      ...expected,
    });
  });

  it('serves the default with reason ERROR / GENERAL when a stored rule cannot be evaluated', () => {
    // e.g. written by a newer version with an operator this engine does not know.
    const unreadable = flag({
      rules: [
        {
          constraints: [{ attribute: 'plan', operator: 'glob' as 'equals', value: 'p*' }],
          variant: 'off',
        },
      ],
    });
    expect(evaluateFlag(unreadable, { plan: 'pro' })).toMatchObject({
      key: 'F',
      value: true,
      variant: 'on',
      reason: 'ERROR',
      errorCode: 'GENERAL',
      version: 1,
    });
    expect(isEnabledResult(unreadable, evaluateFlag(unreadable, { plan: 'pro' }))).toBe(false);
  });

  it('answers FLAG_NOT_FOUND for a missing flag', () => {
    expect(evaluateFlag(undefined, {}, 'NOPE')).toMatchObject({
      key: 'NOPE',
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
      version: 0,
    });
  });

  it('evaluates rules in order: the first match wins even when a later rule also matches', () => {
    const reordered = flag({ ...multi, rules: [multi.rules[1]!, multi.rules[0]!] });
    const context = { dealershipId: 'd1', environment: 'prod', plan: 'pro' };
    expect(evaluateFlag(flag(multi), context).variant).toBe('green');
    expect(evaluateFlag(reordered, context).variant).toBe('blue');
  });

  it('turns off isEnabled with the kill switch and for missing or archived flags', () => {
    const on = flag();
    expect(isEnabledResult(on, evaluateFlag(on))).toBe(true);
    const off = flag({ enabled: false, offVariant: 'on' });
    expect(isEnabledResult(off, evaluateFlag(off))).toBe(false);
    expect(isEnabledResult(undefined, evaluateFlag(undefined, {}, 'X'))).toBe(false);
    const archived = flag({ archived: true });
    expect(isEnabledResult(archived, evaluateFlag(archived))).toBe(false);
  });

  it('serves JSON and number variants', () => {
    const json = flag({
      type: 'json',
      variants: { a: { limit: 3, tiers: ['x'] } },
      defaultVariant: 'a',
    });
    expect(evaluateFlag(json).value).toEqual({ limit: 3, tiers: ['x'] });
    const num = flag({ type: 'number', variants: { low: 1, high: 9 }, defaultVariant: 'high' });
    expect(evaluateFlag(num).value).toBe(9);
  });
});
