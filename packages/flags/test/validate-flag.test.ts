import { describe, expect, it } from 'vitest';
import { type FlagDefinition, normalizeDefinition, validateFlag } from '../src/index.js';

type Row = [string, FlagDefinition, string | undefined];

const rows: Row[] = [
  ['a plain boolean flag', {}, undefined],
  [
    'weights not summing to 100',
    {
      rules: [
        {
          constraints: [],
          rollout: {
            variants: [
              { variant: 'on', weight: 60 },
              { variant: 'off', weight: 30 },
            ],
          },
        },
      ],
    },
    '/rules/0/rollout/variants',
  ],
  [
    'weight with three decimals',
    {
      rules: [
        {
          constraints: [],
          rollout: {
            variants: [
              { variant: 'on', weight: 33.333 },
              { variant: 'off', weight: 66.667 },
            ],
          },
        },
      ],
    },
    '/rules/0/rollout/variants/0/weight',
  ],
  [
    'bad regex',
    {
      rules: [
        { constraints: [{ attribute: 'a', operator: 'regex', value: '(unclosed' }], variant: 'on' },
      ],
    },
    '/rules/0/constraints/0/value',
  ],
  [
    'backreference (not RE2)',
    {
      rules: [
        { constraints: [{ attribute: 'a', operator: 'regex', value: '(a)\\1' }], variant: 'on' },
      ],
    },
    '/rules/0/constraints/0/value',
  ],
  [
    'over-long regex',
    {
      rules: [
        {
          constraints: [{ attribute: 'a', operator: 'regex', value: 'a'.repeat(300) }],
          variant: 'on',
        },
      ],
    },
    '/rules/0/constraints/0/value',
  ],
  [
    'bad semver',
    {
      rules: [
        { constraints: [{ attribute: 'v', operator: 'semver_gt', value: 'one' }], variant: 'on' },
      ],
    },
    '/rules/0/constraints/0/value',
  ],
  [
    'bad number',
    {
      rules: [{ constraints: [{ attribute: 'n', operator: 'num_gt', value: 'x' }], variant: 'on' }],
    },
    '/rules/0/constraints/0/value',
  ],
  [
    'bad date',
    {
      rules: [
        {
          constraints: [{ attribute: 'd', operator: 'date_before', value: 'soon' }],
          variant: 'on',
        },
      ],
    },
    '/rules/0/constraints/0/value',
  ],
  [
    'list operator without values',
    { rules: [{ constraints: [{ attribute: 'a', operator: 'in' }], variant: 'on' }] },
    '/rules/0/constraints/0/values',
  ],
  ['unknown rule variant', { rules: [{ constraints: [], variant: 'purple' }] }, '/rules/0/variant'],
  [
    'rule with both variant and rollout',
    {
      rules: [
        { constraints: [], variant: 'on', rollout: { variants: [{ variant: 'on', weight: 100 }] } },
      ],
    },
    '/rules/0',
  ],
  ['unknown default variant', { defaultVariant: 'maybe' }, '/defaultVariant'],
  ['variant of the wrong type', { type: 'number', variants: { a: 'x' } }, '/variants/a'],
];

describe('validateFlag', () => {
  it.each(rows)('%s', (_name, definition, path) => {
    const issues = validateFlag(normalizeDefinition(definition));
    if (path === undefined) expect(issues).toEqual([]);
    else expect(issues.map((issue) => issue.path)).toContain(path);
  });

  it('infers string flags and defaults to the first variant', () => {
    const body = normalizeDefinition({ variants: { a: 'x', b: 'y' } });
    expect(body).toMatchObject({ type: 'string', defaultVariant: 'a', enabled: false });
  });
});
