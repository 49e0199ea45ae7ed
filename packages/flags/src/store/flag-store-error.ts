import type { ValidationIssue } from '../engine/validate-flag.js';

export type FlagStoreErrorKind = 'not_found' | 'exists' | 'version_conflict' | 'invalid';

/** Why a store operation was refused; the flag service maps each kind to an error code. */
export class FlagStoreError extends Error {
  constructor(
    readonly kind: FlagStoreErrorKind,
    message: string,
    readonly details: {
      key: string;
      expectedVersion?: number;
      currentVersion?: number;
      issues?: ValidationIssue[];
    },
  ) {
    super(message);
    this.name = 'FlagStoreError';
  }
}
