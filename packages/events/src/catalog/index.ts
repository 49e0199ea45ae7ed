import type { Static } from '@sinclair/typebox';
import { flagEvents } from './flag.js';
import { sandboxEvents } from './sandbox.js';
import { seedEvents } from './seed.js';
import { taskEvents } from './task.js';

/** Every event type a room can carry, with the TypeBox schema of its `data`. */
export const EventCatalog = {
  ...seedEvents,
  ...sandboxEvents,
  ...flagEvents,
  ...taskEvents,
} as const;

export type EventType = keyof typeof EventCatalog;
export type EventData<T extends EventType> = Static<(typeof EventCatalog)[T]>;

export const eventTypes = Object.keys(EventCatalog) as EventType[];

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && Object.hasOwn(EventCatalog, value);
}
