import type { EventMeta } from '@switchboard/client';
import { useEffect, useState } from 'react';
import { useSwitchboard } from './provider.js';
import { releaseRoom, retainRoom } from './room-subscriptions.js';

export interface RoomEvent {
  event: string;
  data: unknown;
  meta: EventMeta;
}

export interface UseRoomOptions {
  /**
   * Only these event types (default: every type). The gateway sends only these, also after a
   * reconnect; components in the same room get the union of their types from it.
   */
  events?: readonly string[];
  /** How many of the newest events are kept (default 200); older ones are dropped. */
  limit?: number;
  /** Called for each kept event as it arrives, besides the state update. */
  onEvent?: (event: RoomEvent) => void;
}

export interface RoomState {
  /** Newest first. */
  events: RoomEvent[];
  /** True once the gateway accepted the subscription. */
  subscribed: boolean;
  /** Why the subscription was refused (e.g. FORBIDDEN), if it was. */
  error: { code: string; message: string } | undefined;
  /** The last resume after a reconnect: whether history covered the gap, and what it replayed. */
  lastResume: { recovered: boolean; replayed: number; at: number } | undefined;
}

/**
 * Joins `room` for as long as the component is mounted (shared with other components in the
 * same room) and keeps its newest events. After a reconnect the client resumes the room from
 * its last seq, so the events missed meanwhile arrive here in order, once each.
 */
export function useRoom(room: string | undefined, options: UseRoomOptions = {}): RoomState {
  const client = useSwitchboard();
  const { limit = 200 } = options;
  const types = options.events?.join('\n');
  const [state, setState] = useState<RoomState>(initialState);
  const onEvent = useLatest(options.onEvent);

  useEffect(() => {
    setState(initialState());
    if (!room) return;
    const wanted = types === undefined ? undefined : new Set(types.split('\n'));
    let active = true;
    const stops = [
      client.onAny((event, data, meta) => {
        if (meta.room !== room || (wanted && !wanted.has(event))) return;
        const item = { event, data, meta };
        onEvent.current?.(item);
        setState((previous) => ({
          ...previous,
          events: [item, ...previous.events].slice(0, limit),
        }));
      }),
      client.onClient('resumed', (resume) => {
        if (resume.room !== room) return;
        setState((previous) => ({
          ...previous,
          lastResume: { recovered: resume.recovered, replayed: resume.replayed, at: Date.now() },
        }));
      }),
      client.onClient('error', (error) => {
        if (error.room !== room) return;
        setState((previous) => ({ ...previous, subscribed: false, error }));
      }),
    ];
    retainRoom(client, room, wanted && [...wanted]).then(
      () => {
        if (active) setState((previous) => ({ ...previous, subscribed: true }));
      },
      (error: Error) => {
        if (active) setState((previous) => ({ ...previous, error: refusal(error) }));
      },
    );
    return () => {
      active = false;
      for (const stop of stops) stop();
      releaseRoom(client, room, wanted && [...wanted]);
    };
  }, [client, room, types, limit, onEvent]);

  return state;
}

// The client rejects a refused subscribe with `CODE: message` (the gateway's error frame).
function refusal(error: Error): { code: string; message: string } {
  const match = /^([A-Z_]+): (.*)$/s.exec(error.message);
  return match
    ? { code: match[1]!, message: match[2]! }
    : { code: 'SUBSCRIBE_FAILED', message: error.message };
}

function initialState(): RoomState {
  return { events: [], subscribed: false, error: undefined, lastResume: undefined };
}

/** A ref that always holds the latest value, so a callback prop does not resubscribe. */
function useLatest<T>(value: T): { current: T } {
  const [ref] = useState(() => ({ current: value }));
  ref.current = value;
  return ref;
}
