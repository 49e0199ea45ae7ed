import { AppError, ErrorCode } from '@switchboard/errors';

/** Opaque pagination cursors: base64url JSON, so clients cannot build or depend on their shape. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T>(
  cursor: string | undefined,
  isValid: (value: unknown) => value is T,
): T | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (isValid(value)) return value;
  } catch {
    // fall through to the validation error
  }
  throw new AppError(ErrorCode.VALIDATION_ERROR, 'The cursor is invalid.', {
    location: 'querystring',
    fields: [{ path: '/cursor', message: 'is not a cursor this API issued' }],
  });
}
