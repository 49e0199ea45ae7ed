import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from './app-error.js';
import { ErrorCode } from './catalog.js';
import { dependencyUnavailableError, isDependencyUnavailable } from './dependency-unavailable.js';
import { sendFailure } from './send-failure.js';
import { currentTraceId } from './trace-id.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Id of this request's trace; also sent as the `x-trace-id` response header. */
    traceId: string;
  }
}

export interface ErrorHandlerOptions {
  /** Log 4xx errors at this level (5xx are always logged at error). Default `info`. */
  clientErrorLogLevel?: 'debug' | 'info' | 'warn';
}

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

function validationDetails(error: FastifyError): Record<string, unknown> {
  const issues = (error.validation ?? []) as ValidationIssue[];
  return {
    location: error.validationContext ?? 'body',
    fields: issues.map((issue) => {
      const missing = issue.keyword === 'required' ? issue.params?.['missingProperty'] : undefined;
      const path = `${issue.instancePath ?? ''}${missing ? `/${String(missing)}` : ''}` || '/';
      return { path, message: issue.message ?? 'is invalid', keyword: issue.keyword };
    }),
  };
}

const statusToCode: Record<number, ErrorCode> = {
  400: ErrorCode.VALIDATION_ERROR,
  401: ErrorCode.UNAUTHORIZED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.RECORD_NOT_FOUND,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.VALIDATION_ERROR,
  423: ErrorCode.RESOURCE_LOCKED,
  429: ErrorCode.RATE_LIMITED,
  503: ErrorCode.SERVICE_UNAVAILABLE,
};

/**
 * Maps anything thrown inside Fastify to an AppError: our own errors pass through, Fastify's
 * schema, body-parser and plugin errors keep their meaning, and everything else becomes a
 * 500 whose message reveals nothing about the server.
 */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (isDependencyUnavailable(error)) return dependencyUnavailableError(error);
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation) {
    return new AppError(
      ErrorCode.VALIDATION_ERROR,
      fastifyError.message,
      validationDetails(fastifyError as FastifyError),
    );
  }
  const status = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
  if (status === 413) {
    return new AppError(
      ErrorCode.PAYLOAD_TOO_LARGE,
      'The request body is larger than the server accepts.',
    );
  }
  if (status === 415) {
    return new AppError(
      ErrorCode.VALIDATION_ERROR,
      fastifyError.message ?? 'Unsupported content type.',
      {
        reason: 'unsupported-media-type',
      },
    );
  }
  if (
    status === 400 &&
    (fastifyError.code?.startsWith('FST_ERR_CTP') || error instanceof SyntaxError)
  ) {
    return new AppError(ErrorCode.VALIDATION_ERROR, 'The request body is not valid JSON.', {
      reason: 'malformed-body',
      parser: fastifyError.message,
    });
  }
  const mapped = statusToCode[status];
  if (mapped && status < 500) return new AppError(mapped, fastifyError.message);
  if (mapped === ErrorCode.SERVICE_UNAVAILABLE) return new AppError(mapped);
  return new AppError(ErrorCode.INTERNAL_ERROR, undefined, {}, { cause: error });
}

async function errorHandler(app: FastifyInstance, options: ErrorHandlerOptions): Promise<void> {
  const clientLevel = options.clientErrorLogLevel ?? 'info';
  app.decorateRequest('traceId', '');

  // Requests still arriving on open connections once close() began answer 503 here, in the
  // envelope (the server is built with return503OnClosing: false; Fastify's own is plain JSON).
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });

  // Callback style: runs on every request, and an async hook costs a promise and a microtask each.
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done) => {
    request.traceId = currentTraceId();
    // A reply is thenable (it resolves once sent); setting its status or headers leaves nothing to await.
    void reply.header('x-trace-id', request.traceId);
    if (!closing) {
      done();
      return;
    }
    done(
      new AppError(
        ErrorCode.SERVICE_UNAVAILABLE,
        'This instance is shutting down; retry.',
        { reason: 'shutting-down' },
        { headers: { connection: 'close' } },
      ),
    );
  });

  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const appError = toAppError(error);
    if (appError.statusCode >= 500) {
      request.log.error({ err: error, traceId: request.traceId }, 'request failed');
    } else {
      request.log[clientLevel](
        { code: appError.code, message: appError.message },
        'request rejected',
      );
    }
    return sendFailure(request, reply, appError);
  });

  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) =>
    sendFailure(request, reply, notFoundError(request.method, request.url)),
  );
}

/** What a request for a route that does not exist answers (404 RECORD_NOT_FOUND). */
export function notFoundError(method: string, url: string): AppError {
  return new AppError(
    ErrorCode.RECORD_NOT_FOUND,
    `Route ${method} ${url.split('?')[0]} not found.`,
  );
}

/** Every error path of an app (and of the plugins registered after it) answers the failure envelope. */
export const errorHandlerPlugin = fp(errorHandler, { name: '@switchboard/errors', fastify: '5.x' });
