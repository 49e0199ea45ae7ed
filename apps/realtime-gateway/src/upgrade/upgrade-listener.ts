import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { PrincipalClaims } from '@switchboard/auth';
import {
  type AppError,
  appErrorResponse,
  currentTraceId,
  notFoundError,
  toAppError,
} from '@switchboard/errors';
// Loads service-kit's decorations of FastifyInstance (clientIpOf, pressureRefusal).
import type {} from '@switchboard/service-kit';
import type { FastifyInstance } from 'fastify';
import { type ServerOptions, WebSocketServer } from 'ws';
import type WebSocket from 'ws';
import type { UpgradeCandidate } from './upgrade-admission.js';

export interface UpgradeListenerOptions {
  /** The one path upgrades are accepted on; any other is answered 404. */
  path: string;
  server: ServerOptions;
  /** An upgrade refused before admission (another path) still spends the IP's budget: throws when spent. */
  chargeRefused(ip: string): void;
  /** Throws the AppError to answer, or returns who connects. */
  admit(candidate: UpgradeCandidate): PrincipalClaims;
  /** Called with each socket once its handshake completed. */
  accept(socket: WebSocket, principal: PrincipalClaims, ip: string): void;
}

/**
 * Takes WebSocket upgrades off the HTTP server's 'upgrade' event, outside Fastify's router and
 * hooks: a connect then costs the handshake, not a request and reply, child loggers and the
 * platform's per-request hooks (a fifth of a connect's CPU in a connect storm). What those hooks
 * did for an upgrade is done here: load shedding and admission before the handshake, refusals
 * as the error handler's envelope with x-trace-id. Nothing of the upgrade's HTTP objects
 * outlives the handshake (no ServerResponse, no closure over the request).
 */
export function listenForUpgrades(app: FastifyInstance, options: UpgradeListenerOptions): void {
  const wss = new WebSocketServer(options.server);
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = request.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    const ip = app.clientIpOf(request);
    if (path !== options.path || request.method !== 'GET') {
      // Outside Fastify these meet no HTTP rate limit: they spend the per-IP connect budget.
      let refusal: AppError = notFoundError(request.method ?? 'GET', url);
      try {
        options.chargeRefused(ip);
      } catch (error) {
        refusal = toAppError(error);
      }
      refuse(app, socket, refusal);
      return;
    }
    let principal: PrincipalClaims;
    try {
      const shed = app.pressureRefusal();
      if (shed) throw shed;
      principal = options.admit({ ip, headers: request.headers, url });
    } catch (error) {
      refuse(app, socket, toAppError(error), error);
      return;
    }
    // ws validates the handshake itself (and answers 400 to a malformed one), as it did behind
    // the route; everything it does here is synchronous.
    wss.handleUpgrade(request, socket, head, (ws) => {
      // Thrown here it would escape the server's 'upgrade' event and end the process.
      try {
        options.accept(ws, principal, ip);
      } catch (error) {
        app.log.error({ err: error }, 'accepting a WebSocket failed');
        ws.terminate();
      }
    });
  };
  app.server.on('upgrade', onUpgrade);
  // Upgrades arriving while the app closes reach Fastify as plain requests: 503 in the envelope.
  app.addHook('preClose', (done) => {
    app.server.off('upgrade', onUpgrade);
    done();
  });
}

/** Answers the refusal on the raw socket, logged as the error handler logs a rejected request. */
function refuse(app: FastifyInstance, socket: Duplex, error: AppError, cause?: unknown): void {
  const traceId = currentTraceId();
  if (error.statusCode >= 500) app.log.error({ err: cause ?? error, traceId }, 'upgrade failed');
  else app.log.debug({ code: error.code, message: error.message }, 'upgrade rejected');
  // Node takes its own error listener off an upgraded socket: a reset while answering must not
  // become an uncaught error.
  socket.on('error', destroy);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', destroy);
  socket.end(appErrorResponse(error, traceId));
}

function destroy(this: Duplex): void {
  this.destroy();
}
