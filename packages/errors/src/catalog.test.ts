import { describe, expect, it } from 'vitest';
import { ErrorCode, errorCatalog, isErrorCode, statusOf } from './catalog.js';

// The status of each code is part of the public contract (SPEC.md, Envelopes).
const contract: Array<[ErrorCode, number]> = [
  ['VALIDATION_ERROR', 400],
  ['UNAUTHORIZED', 401],
  ['FORBIDDEN', 403],
  ['RECORD_NOT_FOUND', 404],
  ['FEATURE_DISABLED', 404],
  ['INVALID_STATE_TRANSITION', 409],
  ['IDEMPOTENCY_CONFLICT', 409],
  ['PAYLOAD_TOO_LARGE', 413],
  ['RESOURCE_LOCKED', 423],
  ['RATE_LIMITED', 429],
  ['ROOM_LIMIT_EXCEEDED', 429],
  ['CONNECTION_LIMIT_EXCEEDED', 429],
  ['INTERNAL_ERROR', 500],
  ['SERVICE_UNAVAILABLE', 503],
];

describe('error catalog', () => {
  it.each(contract)('%s answers %i', (code, status) => {
    expect(statusOf(code)).toBe(status);
  });

  it('holds exactly the codes of the contract', () => {
    expect(Object.keys(errorCatalog).sort()).toEqual(contract.map(([code]) => code).sort());
    expect(Object.keys(ErrorCode).sort()).toEqual(contract.map(([code]) => code).sort());
  });

  it('recognises only catalog codes', () => {
    expect(isErrorCode('RESOURCE_LOCKED')).toBe(true);
    expect(isErrorCode('TOTALLY_MADE_UP')).toBe(false);
    expect(isErrorCode('toString')).toBe(false);
  });
});
