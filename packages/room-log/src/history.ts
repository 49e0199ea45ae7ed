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
