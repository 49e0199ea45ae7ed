import { type EventData, type EventType, eventTypes } from '@switchboard/events';
import type { PublishResult, Publisher } from './publisher.js';

/** `pr.created` -> `prCreated`, `agent.status_changed` -> `agentStatusChanged`. */
export type HelperName<T extends string> = T extends `${infer Head}.${infer Tail}`
  ? `${Head}${Capitalize<HelperName<Tail>>}`
  : T extends `${infer Head}_${infer Tail}`
    ? `${Head}${Capitalize<HelperName<Tail>>}`
    : T;

export function helperName(event: string): string {
  return event.replace(/[._]([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

export interface EmitOptions {
  /** Message id (de-duplication); generated when absent. */
  id?: string;
}

/** One function per catalogue event, typed by its schema: `events.projectUpdated(room, data)`. */
export type EventHelpers<Result, Options = EmitOptions> = {
  [T in EventType as HelperName<T>]: (
    room: string,
    data: EventData<T>,
    options?: Options,
  ) => Promise<Result>;
};

/**
 * The helpers over any way of sending one event (the room log, the HTTP server API): one
 * implementation for every type, built from the catalogue, so a new event type gets its helper
 * and its types without code.
 */
export function eventHelpers<Result, Options = EmitOptions>(
  send: (
    event: EventType,
    room: string,
    data: unknown,
    options: Options | undefined,
  ) => Promise<Result>,
): EventHelpers<Result, Options> {
  return Object.fromEntries(
    eventTypes.map((event) => [
      helperName(event),
      (room: string, data: unknown, options?: Options) => send(event, room, data, options),
    ]),
  ) as EventHelpers<Result, Options>;
}

/** Typed helpers publishing through the room log in one dealership: `typedEvents(publisher, 'd1').prCreated(...)`. */
export function typedEvents(
  publisher: Publisher,
  dealershipId: string,
): EventHelpers<PublishResult> {
  return eventHelpers<PublishResult>((event, room, data, options) =>
    publisher.publish({
      room,
      dealershipId,
      event,
      data: data as never,
      ...(options?.id ? { id: options.id } : {}),
    }),
  );
}
