import type { EventData, EventType } from '@switchboard/events';
import { type EventHelpers, eventHelpers } from './typed-events.js';

export interface RealtimeHttpClientOptions {
  /** e.g. `http://localhost:8080` (behind HAProxy) or a gateway's own address. */
  baseUrl: string;
  /** A service token (`pnpm token --role service ...`) or an admin's. */
  token: string;
  /** For an all-dealership token: the dealership to act in, unless a call names one. */
  dealershipId?: string;
  fetch?: typeof fetch;
}

export interface HttpPublishResult {
  id: string;
  room: string;
  seq: number;
  epoch: string;
}

export interface HttpPublishOptions {
  dealershipId?: string;
  /** Same key within 24 h: the first answer, one event. */
  idempotencyKey?: string;
}

/** A server API error: the SPEC envelope's code, message and details, with the HTTP status. */
export class RealtimeApiError extends Error {
  override readonly name = 'RealtimeApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/**
 * A small client of the gateway's server API for services without Redis access: the same calls
 * as the HTTP routes, and `events.<name>(room, data)` typed by the catalogue.
 */
export function createRealtimeHttpClient(options: RealtimeHttpClientOptions) {
  const send = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/$/, '');

  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const response = await send(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${options.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const envelope = (await response.json().catch(() => ({}))) as {
      success?: boolean;
      data?: T;
      error?: { code: string; message: string; details?: Record<string, unknown> };
    };
    if (!response.ok || envelope.success !== true)
      throw new RealtimeApiError(
        response.status,
        envelope.error?.code ?? 'INTERNAL_ERROR',
        envelope.error?.message ?? `HTTP ${response.status}`,
        envelope.error?.details,
      );
    return envelope.data as T;
  }

  const dealership = (given?: string) => {
    const dealershipId = given ?? options.dealershipId;
    return dealershipId === undefined ? {} : { dealershipId };
  };
  const query = (values: Record<string, string | number | boolean | undefined>) => {
    const entries = Object.entries(values).filter(([, value]) => value !== undefined);
    return entries.length === 0
      ? ''
      : `?${new URLSearchParams(entries.map(([key, value]): [string, string] => [key, String(value)])).toString()}`;
  };
  const roomPath = (room: string) => `/api/realtime/rooms/${encodeURIComponent(room)}`;

  function publish<T extends EventType>(
    room: string,
    event: T,
    data: EventData<T>,
    publishOptions: HttpPublishOptions = {},
  ): Promise<HttpPublishResult> {
    return call('POST', '/api/realtime/publish', {
      room,
      event,
      data,
      ...dealership(publishOptions.dealershipId),
      ...(publishOptions.idempotencyKey ? { idempotencyKey: publishOptions.idempotencyKey } : {}),
    });
  }

  const events: EventHelpers<HttpPublishResult, HttpPublishOptions> = eventHelpers<
    HttpPublishResult,
    HttpPublishOptions
  >((event, room, data, publishOptions) => publish(room, event, data as never, publishOptions));

  return {
    publish,
    events,
    broadcast: <T extends EventType>(
      rooms: string[],
      event: T,
      data: EventData<T>,
      dealershipId?: string,
    ) =>
      call<{
        results: Array<{
          room: string;
          ok: boolean;
          seq?: number;
          error?: { code: string; message: string };
        }>;
        published: number;
        failed: number;
      }>('POST', '/api/realtime/broadcast', { rooms, event, data, ...dealership(dealershipId) }),
    history: (
      room: string,
      page: { since?: number; limit?: number; reverse?: boolean; dealershipId?: string } = {},
    ) =>
      call<{
        room: string;
        epoch: string;
        seq: number;
        events: Array<{
          id: string;
          event: string;
          data: unknown;
          seq: number;
          epoch: string;
          ts: number;
        }>;
        nextSince: number | null;
      }>('GET', `${roomPath(room)}/history${query({ ...page, ...dealership(page.dealershipId) })}`),
    presence: (room: string, dealershipId?: string) =>
      call<{
        room: string;
        clients: Array<{
          clientId: string;
          userId: string;
          instanceId: string;
          connectedAt: string;
        }>;
      }>('GET', `${roomPath(room)}/presence${query(dealership(dealershipId))}`),
    presenceStats: (room: string, dealershipId?: string) =>
      call<{ room: string; clients: number; users: number }>(
        'GET',
        `${roomPath(room)}/presence/stats${query(dealership(dealershipId))}`,
      ),
    rooms: (prefix?: string, limit?: number, dealershipId?: string) =>
      call<{ rooms: Array<{ room: string; members: number }> }>(
        'GET',
        `/api/realtime/rooms${query({ prefix, limit, ...dealership(dealershipId) })}`,
      ),
    disconnect: (
      target: { userId: string } | { clientId: string },
      reconnect = false,
      dealershipId?: string,
    ) =>
      call<{ connections: number; instances: string[] }>('POST', '/api/realtime/disconnect', {
        ...target,
        reconnect,
        ...dealership(dealershipId),
      }),
    stats: () => call<unknown>('GET', '/api/v1/websocket/stats'),
  };
}

export type RealtimeHttpClient = ReturnType<typeof createRealtimeHttpClient>;
