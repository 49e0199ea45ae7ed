import { describe, expect, it } from 'vitest';
import { AppError, ErrorCode, appErrorResponse, rateLimitError } from '../src/index.js';

/** Splits a raw HTTP/1.1 response into its status line, headers and parsed body. */
function parse(response: string) {
  const [head = '', body = ''] = response.split('\r\n\r\n');
  const [statusLine, ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  return { statusLine, headers, body, json: JSON.parse(body) as unknown };
}

describe('a failure written on a raw socket', () => {
  it('is a whole HTTP response with the AppError status, the envelope the error handler sends and x-trace-id', () => {
    const error = new AppError(ErrorCode.UNAUTHORIZED, 'A token is required.', {
      reason: 'missing',
    });
    const { statusLine, headers, body, json } = parse(appErrorResponse(error, 'trace-1'));
    expect(statusLine).toBe('HTTP/1.1 401 Unauthorized');
    expect(headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Number(headers['content-length'])).toBe(Buffer.byteLength(body));
    expect(headers['x-trace-id']).toBe('trace-1');
    expect(headers['connection']).toBe('close');
    expect(json).toEqual({
      success: false,
      error: {
        code: 'UNAUTHORIZED',
        message: 'A token is required.',
        details: { reason: 'missing' },
        traceId: 'trace-1',
      },
    });
  });

  it("carries the AppError's own headers (Retry-After on RATE_LIMITED)", () => {
    const error = rateLimitError({ max: 5, after: '3 s', ttl: 3000 });
    const { statusLine, headers } = parse(appErrorResponse(error, 'trace-2'));
    expect(statusLine).toBe('HTTP/1.1 429 Too Many Requests');
    expect(headers['retry-after']).toBe('3');
  });
});
