import { PublishedEvent, type PublishedEventMessage, roomKey } from '@switchboard/events';
import type { EventFrame } from '@switchboard/protocol';
import { Value } from '@sinclair/typebox/value';

/** One published event as this instance handles it: parsed once, its `event` frame serialized and UTF-8 encoded once. */
export interface LiveMessage {
  id: string;
  room: string;
  dealershipId: string;
  key: string;
  seq: number;
  epoch: string;
  ts: number;
  trace: PublishedEventMessage['trace'];
  event: string;
  /**
   * The client frame, serialized and UTF-8 encoded once per instance and sent as is (as a text
   * frame) to every member: a string would be re-encoded for each recipient.
   */
  frame: Buffer;
  /** The message as published (kept to put it back in an offline queue). */
  raw: string;
}

export function toLiveMessage(raw: string): LiveMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!Value.Check(PublishedEvent, value)) return undefined;
  const message = value;
  const eventFrame: EventFrame = {
    type: 'event',
    room: message.room,
    event: message.event,
    id: message.id,
    seq: message.seq,
    epoch: message.epoch,
    ts: message.ts,
    data: message.data,
  };
  return {
    id: message.id,
    room: message.room,
    dealershipId: message.dealershipId,
    key: roomKey(message.dealershipId, message.room),
    seq: message.seq,
    epoch: message.epoch,
    ts: message.ts,
    trace: message.trace,
    event: message.event,
    raw,
    frame: Buffer.from(JSON.stringify(eventFrame)),
  };
}

/** The messages in order, without a second copy of any id (a publisher that retried). */
export function uniqueById(messages: LiveMessage[]): LiveMessage[] {
  const seen = new Set<string>();
  return messages.filter((message) => {
    if (seen.has(message.id)) return false;
    seen.add(message.id);
    return true;
  });
}
