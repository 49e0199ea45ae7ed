/** WebSocket close codes of the gateway (SPEC.md, realtime-gateway), shared by the gateway and the client SDK. */
export const CloseCode = {
  NORMAL: 1000,
  /** The gateway is draining for a restart: reconnect (to another instance) and resume. */
  DRAINING: 1012,
  /** The socket's send buffer passed the slow-consumer bound. */
  SLOW_CONSUMER: 1013,
  UNAUTHORIZED: 4401,
  FORBIDDEN: 4403,
  HEARTBEAT_TIMEOUT: 4408,
  FRAME_TOO_LARGE: 4413,
  RATE_LIMITED: 4429,
} as const;
