import type { RoomEvent } from '@switchboard/react';

/** Events kept by the Live events view; older ones are dropped. */
export const EVENT_BUFFER_LIMIT = 500;

/** Newest first, bounded, never the same (room, id) twice. */
export function addEvent(events: RoomEvent[], next: RoomEvent): RoomEvent[] {
  if (events.some((item) => item.meta.id === next.meta.id && item.meta.room === next.meta.room))
    return events;
  return [next, ...events].slice(0, EVENT_BUFFER_LIMIT);
}

export function matchesFilter(item: RoomEvent, filter: string): boolean {
  const wanted = filter.trim().toLowerCase();
  return wanted === '' || item.event.toLowerCase().includes(wanted);
}
