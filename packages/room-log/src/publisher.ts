import { randomBytes, randomUUID } from 'node:crypto';
import { context, propagation } from '@opentelemetry/api';
import {
  type EventData,
  type EventType,
  eventProblem,
  parseRoom,
  roomKey,
} from '@switchboard/events';
import type { Keyspace } from '@switchboard/keyspace';
import { type RedisClient, defineScript } from '@switchboard/redis';
import { ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import { CIRCUIT_STATE_NAMES, type CircuitStateName } from './circuit-state.js';
import { roomChannel } from './channels.js';
import { createInstanceLiveness } from './instance-liveness.js';
import { OfflineJobs, messageIds } from './offline-jobs.js';
import { ROOM_LOG_DEFAULTS } from './settings.js';

type PublishReply = [number, string, string, string?, number?, string[]?];
const publishEvent = defineScript<PublishReply>(
  new URL('../lua/publish-event-4.lua', import.meta.url),
);
const publishUserEvent = defineScript<PublishReply>(
  new URL('../lua/publish-user-event-6.lua', import.meta.url),
);

export interface PublisherOptions {
  keyspace: Keyspace;
  /** Events kept per room for resume (approximate). Default 1000. */
  historySize?: number;
  /** Seconds an idle room's history and sequence live. Default 24 h. */
  historyTtlSec?: number;
  /** Registry entries older than this (ms) are ignored when routing `user:` rooms. Default 30 s. */
  registryStaleMs?: number;
  /** Gateways whose heartbeat is older than this (ms) get no user-room messages (INSTANCE_STALE_MS). Default 5 s. */
  instanceStaleMs?: number;
  /** Offline queue of a user without a live connection (OFFLINE_QUEUE_MAX, OFFLINE_QUEUE_TTL_SEC). Defaults: 100 messages, 24 h. */
  offlineQueue?: { maxLength?: number; ttlSec?: number };
  /** Add a BullMQ job per queued delivery so it shows in the dashboard (default true). */
  offlineJobs?: boolean;
  /**
   * Circuit breaker around publishing: after `failures` consecutive failures, publish fails fast
   * (BrokenCircuitError) for `halfOpenAfterMs`, then one attempt decides. Default 5 / 1000 ms.
   */
  circuitBreaker?: { failures?: number; halfOpenAfterMs?: number } | false;
}

export type PublisherCircuitState = CircuitStateName;

export interface PublishInput<T extends EventType = EventType> {
  room: string;
  dealershipId: string;
  event: T;
  data: EventData<T>;
  /** Message id for de-duplication; generated when absent. */
  id?: string;
}

export interface PublishResult {
  id: string;
  seq: number;
  epoch: string;
  /** `user:` rooms only: delivered live ('direct') or put in the offline queue ('queued'). */
  route?: 'room' | 'direct' | 'queued';
  /** Offline queue entries dropped (oldest first) to honour its max length. */
  dropped?: number;
}

export interface Publisher {
  publish<T extends EventType>(input: PublishInput<T>): Promise<PublishResult>;
  /** Publishes one event to several rooms (e.g. `sandbox:<id>` and `dealership:<id>`). */
  publishToRooms<T extends EventType>(
    roomsToPublish: string[],
    input: Omit<PublishInput<T>, 'room'>,
  ): Promise<PublishResult[]>;
  /** Closes the BullMQ queue handle if one was opened (the Redis client stays the caller's). */
  close(): Promise<void>;
  /** State of the publishing circuit breaker ('closed' when it is disabled). */
  circuitState(): PublisherCircuitState;
}

/** An event the catalogue does not allow; thrown before anything reaches Redis. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
}

/**
 * The one way anything publishes an event to WebSocket rooms. Each event gets a room-scoped
 * sequence number and a place in the room's history (for resume) in the same atomic step as
 * its PUBLISH. `user:` rooms are routed through the connection registry: to the instances that
 * hold the user's connections, or to the user's offline queue. The current trace context rides
 * along in the message.
 */
export function createPublisher(redis: RedisClient, options: PublisherOptions): Publisher {
  const ks = options.keyspace;
  const historySize = String(options.historySize ?? ROOM_LOG_DEFAULTS.historySize);
  const historyTtlSec = String(options.historyTtlSec ?? ROOM_LOG_DEFAULTS.historyTtlSec);
  const registryStaleMs = String(options.registryStaleMs ?? ROOM_LOG_DEFAULTS.registryStaleMs);
  const queueMax = options.offlineQueue?.maxLength ?? ROOM_LOG_DEFAULTS.offlineQueueMaxLength;
  const queueTtlSec = options.offlineQueue?.ttlSec ?? ROOM_LOG_DEFAULTS.offlineQueueTtlSec;
  const breaker =
    options.circuitBreaker === false
      ? undefined
      : circuitBreaker(handleAll, {
          halfOpenAfter: options.circuitBreaker?.halfOpenAfterMs ?? 1000,
          breaker: new ConsecutiveBreaker(options.circuitBreaker?.failures ?? 5),
        });
  const guarded = <T>(action: () => Promise<T>): Promise<T> =>
    breaker ? breaker.execute(action) : action();
  const liveness = createInstanceLiveness(redis, ks, {
    staleMs: options.instanceStaleMs ?? ROOM_LOG_DEFAULTS.instanceStaleMs,
    cacheMs: 500,
  });
  const jobs = new OfflineJobs(redis, ks);

  async function publish<T extends EventType>(input: PublishInput<T>): Promise<PublishResult> {
    const problem = eventProblem(input);
    if (problem) throw new InvalidEventError(problem);
    const id = input.id ?? randomUUID();
    const scope = roomKey(input.dealershipId, input.room);
    const trace: Record<string, string> = {};
    propagation.inject(context.active(), trace);
    const body = JSON.stringify({
      id,
      room: input.room,
      dealershipId: input.dealershipId,
      event: input.event,
      data: input.data,
      ts: Date.now(),
      ...(Object.keys(trace).length > 0 ? { trace } : {}),
    });
    const roomKeys = [
      ks.realtime.roomSeq(scope),
      ks.realtime.roomHistory(scope),
      ks.realtime.roomEpoch(scope),
    ] as const;
    const idsKey = ks.realtime.roomIds(scope);
    const newEpoch = randomBytes(6).toString('hex');
    const parsed = parseRoom(input.room);
    if (parsed?.kind === 'user' && parsed.id) {
      const userId = parsed.id;
      const staleInstances = await liveness.staleInstances();
      const [seq, epoch, , route, count, droppedMessages] = await guarded(() =>
        publishUserEvent(
          redis,
          [
            ...roomKeys,
            ks.realtime.userConnections(input.dealershipId, userId),
            ks.realtime.offlineQueue(input.dealershipId, userId),
            idsKey,
          ],
          [
            ks.realtime.directChannel(''),
            historySize,
            historyTtlSec,
            newEpoch,
            body,
            String(Date.now()),
            registryStaleMs,
            String(queueMax),
            String(queueTtlSec),
            ks.realtime.roomChannel(scope),
            staleInstances.join(' '),
            id,
          ],
        ),
      );
      const result: PublishResult = {
        id,
        seq: Number(seq),
        epoch,
        route: route === 'queued' ? 'queued' : 'direct',
      };
      if (route === 'queued') {
        result.dropped = Number(count ?? 0);
        if (options.offlineJobs !== false) {
          await jobs.add(
            {
              dealershipId: input.dealershipId,
              userId,
              messageId: id,
              event: input.event,
              seq: Number(seq),
            },
            queueTtlSec,
          );
          await jobs.remove(messageIds(droppedMessages ?? []));
        }
      }
      return result;
    }
    const channel = roomChannel(ks, input.room, scope);
    const [seq, epoch] = await guarded(() =>
      publishEvent(
        redis,
        [...roomKeys, idsKey],
        [channel, historySize, historyTtlSec, newEpoch, body, id],
      ),
    );
    return { id, seq: Number(seq), epoch, route: 'room' };
  }

  return {
    publish,
    publishToRooms: (roomsToPublish, input) =>
      Promise.all(roomsToPublish.map((room) => publish({ ...input, room } as PublishInput))),
    close: () => jobs.close(),
    circuitState: () => (breaker ? CIRCUIT_STATE_NAMES[breaker.state] : 'closed'),
  };
}
