import { describe, expect, it } from 'vitest';
import { type Rollout, bucketOf, evaluateFlag, pickRolloutVariant } from '../src/index.js';
import { flag } from './fixtures.js';

const KEYS = 100_000;

function distribution(rollout: Rollout, stickiness: (i: number) => Record<string, string>) {
  const counts: Record<string, number> = {};
  for (let i = 0; i < KEYS; i += 1) {
    const picked = pickRolloutVariant(rollout, 'ROLLOUT_FLAG', stickiness(i));
    if ('variant' in picked) counts[picked.variant] = (counts[picked.variant] ?? 0) + 1;
  }
  return counts;
}

describe('sticky percentage rollouts', () => {
  it('matches the Unleash normalisation: murmurhash3_x86_32("group:id", 0) % n + 1', () => {
    // Reference values from Unleash's own client test-suite (normalizedValue('123', 'gr1') === 73 etc.).
    expect(bucketOf('gr1', '123', 100)).toBe(73);
    expect(bucketOf('groupX', '999', 100)).toBe(25);
    expect(bucketOf('g', 'u', 10_000)).toBeGreaterThanOrEqual(1);
    expect(bucketOf('g', 'u', 10_000)).toBeLessThanOrEqual(10_000);
  });

  it.each([[[50, 50]], [[20, 80]], [[10, 30, 60]], [[33.33, 33.33, 33.34]], [[1, 99]]])(
    'spreads 100 000 keys within 1 %% of each weight: %j',
    (weights) => {
      const rollout: Rollout = {
        variants: weights.map((weight, i) => ({ variant: `v${i}`, weight })),
      };
      const counts = distribution(rollout, (i) => ({ targetingKey: `user-${i}` }));
      weights.forEach((weight, i) => {
        const share = ((counts[`v${i}`] ?? 0) / KEYS) * 100;
        expect(Math.abs(share - weight)).toBeLessThan(1);
      });
    },
  );

  it('keeps the first 20 % in when the rollout is raised to 40 %', () => {
    const at = (percent: number): Rollout => ({
      variants: [
        { variant: 'on', weight: percent },
        { variant: 'off', weight: 100 - percent },
      ],
    });
    let inAt20 = 0;
    for (let i = 0; i < KEYS; i += 1) {
      const context = { targetingKey: `user-${i}` };
      const before = pickRolloutVariant(at(20), 'F', context);
      const after = pickRolloutVariant(at(40), 'F', context);
      if ('variant' in before && before.variant === 'on') {
        inAt20 += 1;
        expect(after).toEqual({ variant: 'on' });
      }
    }
    expect(Math.abs(inAt20 / KEYS - 0.2)).toBeLessThan(0.01);
  });

  it('is sticky: the same value always gets the same variant, whatever the rule order', () => {
    const rollout: Rollout = {
      variants: [
        { variant: 'on', weight: 50 },
        { variant: 'off', weight: 50 },
      ],
    };
    const gate = {
      constraints: [{ attribute: 'environment', operator: 'equals' as const, value: 'prod' }],
      rollout,
    };
    const other = {
      constraints: [{ attribute: 'environment', operator: 'equals' as const, value: 'dev' }],
      variant: 'off',
    };
    const first = flag({ rules: [gate, other] });
    const second = flag({ rules: [other, gate] });
    for (let i = 0; i < 200; i += 1) {
      const context = { targetingKey: `u${i}`, environment: 'prod' };
      const a = evaluateFlag(first, context);
      expect(evaluateFlag(first, context)).toEqual(a);
      expect(evaluateFlag(second, context).variant).toBe(a.variant);
    }
  });

  it('buckets by another attribute when stickiness says so', () => {
    const rollout: Rollout = {
      stickiness: 'dealershipId',
      variants: [
        { variant: 'on', weight: 50 },
        { variant: 'off', weight: 50 },
      ],
    };
    const picks = new Set<string>();
    for (let i = 0; i < 50; i += 1) {
      const picked = pickRolloutVariant(rollout, 'F', {
        dealershipId: 'd-7',
        targetingKey: `u${i}`,
      });
      if ('variant' in picked) picks.add(picked.variant);
    }
    expect(picks.size).toBe(1);
    expect(pickRolloutVariant(rollout, 'F', { targetingKey: 'u1' })).toEqual({
      missing: 'dealershipId',
    });
  });

  it('uses the flag key as the hash group by default, so two flags split independently', () => {
    const rollout: Rollout = {
      variants: [
        { variant: 'on', weight: 50 },
        { variant: 'off', weight: 50 },
      ],
    };
    let same = 0;
    for (let i = 0; i < 10_000; i += 1) {
      const a = pickRolloutVariant(rollout, 'A', { targetingKey: `u${i}` });
      const b = pickRolloutVariant(rollout, 'B', { targetingKey: `u${i}` });
      if (JSON.stringify(a) === JSON.stringify(b)) same += 1;
    }
    expect(same / 10_000).toBeGreaterThan(0.45);
    expect(same / 10_000).toBeLessThan(0.55);
  });
});
