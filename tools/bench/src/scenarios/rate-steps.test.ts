import { describe, expect, it } from 'vitest';
import { rateSteps } from './rate-steps.js';

describe('rateSteps', () => {
  it('keeps doubling past the listed rates until the cap, so stepping ends by a lag', () => {
    expect(rateSteps([100, 300, 1000], 8000)).toEqual([100, 300, 1000, 2000, 4000, 8000]);
  });

  it('never asks for more than the cap', () => {
    expect(rateSteps([100, 3000], 5000)).toEqual([100, 3000]);
    expect(Math.max(...rateSteps([100, 300], 200_000))).toBeLessThanOrEqual(200_000);
  });
});
