import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode } from './catalog.js';
import { type ErrorBody, failure } from './envelope.js';
import { toAppError } from './error-handler-plugin.js';
import { failureResponse } from './raw-response.js';
import { currentTraceId } from './trace-id.js';

/**
 * Answers Fastify and Node produce before any route or hook runs — an over-long path parameter,
 * an undecodable URL, headers beyond Node's limit, bytes that are not HTTP — in the same
 * failure envelope, with `x-trace-id`, as every other error. Their HTTP status stays the
 * transport's own (414, 431, 408) so clients and proxies understand it; the envelope code is
 * the closest catalog code.
 */
interface TransportFailure {
  status: number;
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
}

const failureOf = (
  status: number,
  code: ErrorCode,
  message: string,
  reason: string,
): TransportFailure => ({ status, code, message, details: { reason } });

/** Fastify's router errors we answer with the transport's own status, by Fastify error code. */
const FRAMEWORK_FAILURES = new Map([
  [
    'FST_ERR_MAX_PARAM_LENGTH',
    () =>
      failureOf(
        414,
        ErrorCode.PAYLOAD_TOO_LARGE,
        'A path parameter is longer than the server accepts.',
        'uri-too-long',
      ),
  ],
  [
    'FST_ERR_BAD_URL',
    () => failureOf(400, ErrorCode.VALIDATION_ERROR, 'The URL is not valid.', 'bad-url'),
  ],
]);

/** Node's parser errors with an answer of their own; any other is malformed HTTP. */
const CLIENT_FAILURES = new Map([
  [
    'HPE_HEADER_OVERFLOW',
    () =>
      failureOf(
        431,
        ErrorCode.PAYLOAD_TOO_LARGE,
        'The request line and headers are larger than the server accepts.',
        'headers-too-large',
      ),
  ],
  [
    'ERR_HTTP_REQUEST_TIMEOUT',
    () =>
      failureOf(
        408,
        ErrorCode.VALIDATION_ERROR,
        'The request was not received in time.',
        'request-timeout',
      ),
  ],
]);

/** Fastify's router errors (the `frameworkErrors` server option). */
export function frameworkFailure(error: FastifyError): TransportFailure {
  const known = FRAMEWORK_FAILURES.get(error.code);
  if (known) return known();
  const appError = toAppError(error);
  return {
    status: appError.statusCode,
    code: appError.code,
    message: appError.message,
    details: appError.details,
  };
}

/** Node's parser errors (the `clientError` event of the HTTP server). */
export function clientFailure(error: NodeJS.ErrnoException): TransportFailure {
  const known = error.code === undefined ? undefined : CLIENT_FAILURES.get(error.code);
  if (known) return known();
  return failureOf(
    400,
    ErrorCode.VALIDATION_ERROR,
    'The request is not valid HTTP.',
    'malformed-request',
  );
}

const bodyOf = (answer: TransportFailure, traceId: string): ErrorBody => ({
  code: answer.code,
  message: answer.message,
  details: answer.details,
  traceId,
});

/** The `frameworkErrors` option of Fastify: no onRequest hook has run, so the trace id is set here. */
export function frameworkErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const answer = frameworkFailure(error);
  const traceId = request.traceId || currentTraceId();
  request.log.info(
    { code: answer.code, status: answer.status, traceId, reason: answer.details['reason'] },
    'request rejected by the router',
  );
  // A reply is thenable (it resolves once sent); setting its status or headers leaves nothing to await.
  void reply
    .code(answer.status)
    .header('x-trace-id', traceId)
    .header('content-type', 'application/json; charset=utf-8');
  // Fastify reports a failed send itself; the handler has nothing more to do.
  void reply.send(JSON.stringify(failure(bodyOf(answer, traceId))));
}

/**
 * The `clientErrorHandler` option of Fastify (Node's `clientError`): the request could not be
 * parsed, so there is no request object; write a whole HTTP response on the socket and close it.
 */
export function clientErrorHandler(
  this: FastifyInstance,
  error: NodeJS.ErrnoException,
  socket: Socket,
): void {
  // A reset connection has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const answer = clientFailure(error);
  const traceId = currentTraceId();
  this.log.debug({ err: error, traceId, status: answer.status }, 'client error');
  if (socket.writable) socket.write(failureResponse(answer.status, bodyOf(answer, traceId)));
  socket.destroy(error);
}
