import { STATUS_CODES } from 'node:http';
import type { AppError } from './app-error.js';
import { type ErrorBody, failure } from './envelope.js';

/**
 * A whole HTTP/1.1 response carrying the failure envelope, for a socket no Fastify reply owns:
 * a request Node could not parse, or a WebSocket upgrade refused before the handshake. It says
 * `Connection: close`: the caller ends the socket once it is written.
 */
export function failureResponse(
  status: number,
  body: ErrorBody,
  headers: Readonly<Record<string, string>> = {},
): string {
  const json = JSON.stringify(failure(body));
  let head =
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(json)}\r\n` +
    `x-trace-id: ${body.traceId}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  return `${head}Connection: close\r\n\r\n${json}`;
}

/** The raw response for an AppError: its status, headers and envelope, as the error handler sends them. */
export function appErrorResponse(error: AppError, traceId: string): string {
  return failureResponse(error.statusCode, errorBody(error, traceId), error.headers);
}

/** The envelope's error of an AppError. */
export function errorBody(error: AppError, traceId: string): ErrorBody {
  return { code: error.code, message: error.message, details: error.details, traceId };
}
