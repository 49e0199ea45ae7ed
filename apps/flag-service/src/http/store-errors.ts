import { AppError, ErrorCode } from '@switchboard/errors';
import { FlagStoreError } from '@switchboard/flags';

/** ioredis errors that mean "Redis is unreachable right now", not "this request is wrong". */
function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    /ECONNREFUSED|Connection is closed|Stream isn't writeable|ETIMEDOUT/.test(error.message)
  );
}

/** Maps the store's refusals to the SPEC error catalogue (Redis outages -> 503); anything else passes through. */
function toHttpError(error: unknown): unknown {
  if (isRedisUnavailable(error))
    return new AppError(
      ErrorCode.SERVICE_UNAVAILABLE,
      'The flag store is unavailable; evaluations continue from the last known flags.',
      {},
      { cause: error },
    );
  if (!(error instanceof FlagStoreError)) return error;
  const { key, issues, expectedVersion, currentVersion } = error.details;
  switch (error.kind) {
    case 'not_found':
      return new AppError(ErrorCode.RECORD_NOT_FOUND, error.message, { key });
    case 'exists':
      return new AppError(ErrorCode.INVALID_STATE_TRANSITION, error.message, {
        key,
        reason: 'exists',
        currentVersion,
      });
    case 'version_conflict':
      return new AppError(ErrorCode.INVALID_STATE_TRANSITION, error.message, {
        key,
        reason: 'version-conflict',
        expectedVersion,
        currentVersion,
      });
    case 'invalid':
      return new AppError(ErrorCode.VALIDATION_ERROR, error.message, {
        location: 'body',
        fields: (issues ?? []).map((issue) => ({
          path: issue.path,
          message: issue.message,
          keyword: 'flag',
        })),
      });
  }
}

/** Runs a store call, translating its errors. */
export async function storeCall<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toHttpError(error);
  }
}
