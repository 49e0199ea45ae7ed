import { AppError, ErrorCode } from '@switchboard/errors';

const UINT64_MAX = (1n << 64n) - 1n;

/**
 * An audit cursor is a Redis stream id `<ms>-<seq>` that a page ends before. Redis refuses ids
 * whose parts exceed 64 bits, and `0-0` (nothing comes before it): both are the client's
 * mistake, so they answer 400 here instead of a Redis error (500) later.
 */
export function assertAuditCursor(cursor: string): void {
  const match = /^([0-9]{1,20})-([0-9]{1,20})$/.exec(cursor);
  const ms = match ? BigInt(match[1]!) : -1n;
  const seq = match ? BigInt(match[2]!) : -1n;
  const valid = ms >= 0n && seq >= 0n && ms <= UINT64_MAX && seq <= UINT64_MAX && ms + seq > 0n;
  if (!valid) {
    throw new AppError(
      ErrorCode.VALIDATION_ERROR,
      'cursor must be the nextCursor of a previous page.',
      {
        location: 'querystring',
        field: 'cursor',
        reason: 'invalid-cursor',
      },
    );
  }
}
