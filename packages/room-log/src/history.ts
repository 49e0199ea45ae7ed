import { Value } from '@sinclair/typebox/value';
import { PublishedEvent, type PublishedEventMessage } from '@switchboard/events';
import type { Keyspace } from '@switchboard/keyspace';
import type { RedisClient } from '@switchboard/redis';
import { type LiveMessage, toLiveMessage } from './live-message.js';

export interface RoomPosition {
  seq: number;
  /** Empty when the room has no sequence yet (nothing published, or history lost). */
  epoch: string;
}

/** The room's last sequence number and epoch (one slot: both keys share the room's hash tag). */
export async function readPosition(
  redis: RedisClient,
  ks: Keyspace,
  key: string,
): Promise<RoomPosition> {
  const [seq, epoch] = await redis.mget(ks.realtime.roomSeq(key), ks.realtime.roomEpoch(key));
  return { seq: Number(seq ?? 0), epoch: seq ? (epoch ?? '') : '' };
}

/** History entries with fromSeq <= seq <= toSeq, oldest first (stream ids are `<seq>-0`). */
export async function readHistory(
  redis: RedisClient,
  ks: Keyspace,
  key: string,
  fromSeq: number,
  toSeq?: number,
): Promise<LiveMessage[]> {
  const entries = await redis.xrange(
    ks.realtime.roomHistory(key),
    `${fromSeq}-0`,
    toSeq === undefined ? '+' : `${toSeq}-0`,
  );
  const messages: LiveMessage[] = [];
  for (const [, fields] of entries) {
    const message = toLiveMessage(fields[1] ?? '');
    if (message) messages.push(message);
  }
  return messages;
}

/** True when `messages` are exactly seq fromSeq..toSeq with no hole (history still covers it). */
export function coversRange(messages: LiveMessage[], fromSeq: number, toSeq: number): boolean {
  if (toSeq < fromSeq) return true;
  if (messages.length !== toSeq - fromSeq + 1) return false;
  return messages.every((message, index) => message.seq === fromSeq + index);
}

export interface HistoryPageOptions {
  /** Forward: events after this seq; reverse: events before it (default: from the newest). */
  since?: number | undefined;
  limit: number;
  reverse?: boolean | undefined;
}

/** One page of a room's history as published (PublishedEvent JSON objects), for the server API. */
export async function readHistoryPage(
  redis: RedisClient,
  ks: Keyspace,
  key: string,
  options: HistoryPageOptions,
): Promise<PublishedEventMessage[]> {
  const stream = ks.realtime.roomHistory(key);
  const { since, limit } = options;
  const entries = options.reverse
    ? since !== undefined && since <= 1
      ? []
      : await redis.xrevrange(
          stream,
          since === undefined ? '+' : `${since - 1}-0`,
          '-',
          'COUNT',
          limit,
        )
    : await redis.xrange(stream, `${(since ?? 0) + 1}-0`, '+', 'COUNT', limit);
  const events: PublishedEventMessage[] = [];
  for (const [, fields] of entries) {
    try {
      const value: unknown = JSON.parse(fields[1] ?? '');
      if (Value.Check(PublishedEvent, value)) events.push(value);
    } catch {
      // An entry that is not an event (never written by the room log) is skipped.
    }
  }
  return events;
}
