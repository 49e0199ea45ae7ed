import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppError } from './app-error.js';
import { failure } from './envelope.js';
import { errorBody } from './raw-response.js';
import { currentTraceId } from './trace-id.js';

/** Answers `error` in the failure envelope, with its status and headers and the request's trace id. */
export function sendFailure(request: FastifyRequest, reply: FastifyReply, error: AppError) {
  // A reply is thenable (it resolves once sent); setting its status or headers leaves nothing to await.
  void reply.status(error.statusCode).headers(error.headers);
  return reply.send(failure(errorBody(error, request.traceId || currentTraceId())));
}
