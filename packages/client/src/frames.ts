/** The server frames the client understands (docs/api/websocket.md). */
export interface EventFrame {
  type: 'event';
  room: string;
  event: string;
  id: string;
  seq: number;
  epoch: string;
  ts: number;
  data: unknown;
}

export type ServerFrame =
  | {
      type: 'connection.established';
      clientId: string;
      instanceId: string;
      heartbeatMs: number;
      rooms: string[];
      /** Where each automatic room starts for this connection (older gateways omit it). */
      positions?: Record<string, { seq: number; epoch: string }>;
    }
  | EventFrame
  | { type: 'subscribed'; room: string; seq: number; epoch: string }
  | { type: 'unsubscribed'; room: string }
  | { type: 'resumed'; room: string; recovered: boolean; replayed: number; seq: number; epoch: string }
  | { type: 'pong'; id?: string; ts: number }
  | { type: 'error'; code: string; message: string; room?: string }
  | { type: 'migrate'; reconnectInMs: number }
  | { type: 'auth.ok'; exp: number };

/** The gateway's close codes (SPEC.md), as the gateway itself defines them. */
export { CloseCode as CloseCodes } from '@switchboard/events';
