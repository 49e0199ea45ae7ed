import { describe, expect, it } from 'vitest';
import { matchesEventPatterns } from '../src/index.js';

describe('subscribe event patterns', () => {
  it('match exact types, whole families and everything', () => {
    expect(matchesEventPatterns(['pr.created'], 'pr.created')).toBe(true);
    expect(matchesEventPatterns(['pr.created'], 'pr.merged')).toBe(false);
    expect(matchesEventPatterns(['pr.*'], 'pr.merged')).toBe(true);
    expect(matchesEventPatterns(['*'], 'workflow.failed')).toBe(true);
  });

  it('do not take a family for a longer family with the same start', () => {
    expect(matchesEventPatterns(['pr.*'], 'project.updated')).toBe(false);
    expect(matchesEventPatterns(['workflow.failed'], 'workflow.failed_again')).toBe(false);
  });
});
