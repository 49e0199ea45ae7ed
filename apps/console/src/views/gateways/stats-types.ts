/** GET /api/v1/websocket/stats `data` (the gateway's cluster-wide stats). */
export interface GatewayStats {
  totals: {
    connections: number;
    rooms: number;
    messagesIn: number;
    messagesOut: number;
    queuedOffline: number;
    instances: number;
  };
  instances: GatewayInstance[];
  dealerships: { dealershipId: string; connections: number }[];
  at: string;
}

interface GatewayInstance {
  instanceId: string;
  connections: number;
  rooms: number;
  messagesIn: number;
  messagesOut: number;
  draining: boolean;
  breaker: 'closed' | 'open' | 'half-open';
  startedAt: string;
  lastSeenAt: string;
}
