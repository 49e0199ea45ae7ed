import type { Flag } from '../src/index.js';

/** A complete stored flag with overrides, for engine tests. */
export function flag(overrides: Partial<Flag> = {}): Flag {
  return {
    key: 'F',
    version: 1,
    description: '',
    type: 'boolean',
    enabled: true,
    variants: { on: true, off: false },
    defaultVariant: 'on',
    rules: [],
    tags: [],
    archived: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    updatedBy: 'test',
    ...overrides,
  };
}
