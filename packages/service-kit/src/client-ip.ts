import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The client address of a raw request, as `request.ip` gives it (same trustProxy, same
     * proxy-addr): for requests handled outside Fastify's router, such as WebSocket upgrades.
     */
    clientIpOf(request: IncomingMessage): string;
  }
}

/**
 * `request.ip` outside Fastify, for the trustProxy values the services use: false or empty
 * trusts no proxy (the peer's address), true trusts every hop, a string is a proxy-addr list
 * of trusted peers (comma-separated, as Fastify splits it).
 */
export function clientIpResolver(
  trustProxy: boolean | string,
): (request: IncomingMessage) => string {
  if (!trustProxy) return (request) => request.socket.remoteAddress ?? '';
  const trusted =
    trustProxy === true
      ? () => true
      : proxyAddr.compile(trustProxy.split(',').map((entry) => entry.trim()));
  return (request) => {
    const addresses = proxyAddr.all(request, trusted);
    return addresses[addresses.length - 1] ?? '';
  };
}
