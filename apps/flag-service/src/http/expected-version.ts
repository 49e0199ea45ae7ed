import { AppError, ErrorCode } from '@switchboard/errors';

/**
 * The version a change was made from: `version` in the body or `If-Match` (`"3"`, `W/"3"` or
 * `3`). A mismatch between the two is a client error.
 */
export function expectedVersionOf(
  bodyVersion: number | undefined,
  ifMatch: string | undefined,
): number | undefined {
  let headerVersion: number | undefined;
  if (ifMatch !== undefined && ifMatch.trim() !== '*') {
    const match = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(ifMatch);
    if (!match)
      throw new AppError(ErrorCode.VALIDATION_ERROR, 'If-Match must be a flag version, e.g. "3".', {
        header: 'If-Match',
      });
    headerVersion = Number(match[1]);
  }
  if (bodyVersion !== undefined && headerVersion !== undefined && bodyVersion !== headerVersion) {
    throw new AppError(ErrorCode.VALIDATION_ERROR, 'version and If-Match disagree.', {
      version: bodyVersion,
      ifMatch: headerVersion,
    });
  }
  return bodyVersion ?? headerVersion;
}
