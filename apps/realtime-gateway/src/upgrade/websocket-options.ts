import type { ServerOptions } from 'ws';
import type { GatewayOptions } from '../gateway-options.js';

/** Options of the gateway's WebSocketServer: the upgrade listener hands it sockets (noServer). */
export function websocketServerOptions(
  options: Pick<GatewayOptions, 'maxPayload' | 'compression'>,
): ServerOptions {
  return {
    noServer: true,
    // The gateway keeps its own set of connections; ws's would be a second entry and a 'close'
    // listener per socket.
    clientTracking: false,
    maxPayload: options.maxPayload,
    perMessageDeflate: perMessageDeflate(options.compression),
  };
}

/**
 * No context takeover: a socket keeps no compression window between messages (memory per
 * connection stays flat); level 1 trades ratio for CPU on a fan-out path.
 */
function perMessageDeflate(compression: GatewayOptions['compression']) {
  if (!compression) return false;
  return {
    threshold: compression.thresholdBytes,
    serverNoContextTakeover: true,
    clientNoContextTakeover: true,
    zlibDeflateOptions: { level: 1 },
    concurrencyLimit: 10,
  };
}
