export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/**
 * What a token is read from: a Fastify request or the raw IncomingMessage of an upgrade (both
 * have the headers and the URL with its query string).
 */
export interface UpgradeRequestParts {
  headers: { authorization?: string | undefined };
  url?: string | undefined;
}

/**
 * A WebSocket upgrade may carry the token in `Authorization: Bearer` or, for browsers, `?token=`
 * (given once: a repeated parameter is no token, as Fastify's query parser makes it an array).
 */
export function tokenFromUpgrade(request: UpgradeRequestParts): string | undefined {
  const fromHeader = bearerToken(request.headers.authorization);
  if (fromHeader) return fromHeader;
  const url = request.url ?? '';
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return undefined;
  const fromQuery = new URLSearchParams(url.slice(queryStart + 1)).getAll('token');
  return fromQuery.length === 1 && fromQuery[0] ? fromQuery[0] : undefined;
}
