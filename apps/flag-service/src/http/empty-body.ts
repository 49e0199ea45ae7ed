import type { FastifyRequest } from 'fastify';

/** preValidation: a POST without a body means `{}`, so optional-only bodies need no payload. */
export async function emptyBodyAsObject(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {};
}
