import type { FastifyRequest } from 'fastify';

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** A WebSocket upgrade may carry the token in `Authorization: Bearer` or, for browsers, `?token=`. */
export function tokenFromUpgrade(request: FastifyRequest): string | undefined {
  const fromHeader = bearerToken(request.headers.authorization);
  if (fromHeader) return fromHeader;
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = query?.['token'];
  return typeof fromQuery === 'string' && fromQuery.length > 0 ? fromQuery : undefined;
}
