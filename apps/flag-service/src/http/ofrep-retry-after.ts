/**
 * OFREP's 429 carries Retry-After as a date. Written as an HTTP-date (RFC 9110), which is both a
 * date for OFREP and what HTTP defines for the header; the official OFREP provider reads it right,
 * whereas it would read an RFC 3339 timestamp ("2026-...") as 2026 seconds.
 */
export function ofrepRetryAfter(seconds: number, now = Date.now()): string {
  const wait = Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : 1;
  return new Date(now + wait * 1000).toUTCString();
}
