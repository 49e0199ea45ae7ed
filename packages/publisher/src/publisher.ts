import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { context, propagation } from '@opentelemetry/api';
import { type EventData, type EventType, eventProblem, parseRoom, GLOBAL_ROOM, roomKey } from '@switchboard/events';
import type { Keyspace } from '@switchboard/keyspace';
import { Queue } from 'bullmq';
import { CircuitState, ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import type { Cluster, Redis } from 'ioredis';
import { createInstanceLiveness } from './instance-liveness.js';

const PUBLISH_SCRIPT = readFileSync(new URL('./lua/publish-event.lua', import.meta.url), 'utf8');
const PUBLISH_USER_SCRIPT = readFileSync(new URL('./lua/publish-user-event.lua', import.meta.url), 'utf8');

/** Defaults shared with the gateway, which reads the same registry and queue. */
export const PUBLISHER_DEFAULTS = {
  historySize: 1000,
  historyTtlSec: 86_400,
  /** A user-connection registry entry not refreshed for this long belongs to a dead instance. */
  registryStaleMs: 30_000,
  /**
   * A gateway whose heartbeat in the instances zset (every INSTANCE_HEARTBEAT_MS, 1 s) is older than
   * this is taken for crashed: user-room messages are no longer routed to it (INSTANCE_STALE_MS).
   */
  instanceStaleMs: positiveInt(process.env['INSTANCE_STALE_MS'], 5_000),
  /** OFFLINE_QUEUE_MAX / OFFLINE_QUEUE_TTL_SEC set the defaults for every publisher of a process. */
  offlineQueueMaxLength: positiveInt(process.env['OFFLINE_QUEUE_MAX'], 100),
  offlineQueueTtlSec: positiveInt(process.env['OFFLINE_QUEUE_TTL_SEC'], 86_400),
} as const;

/** The ids of raw published messages (those that do not parse are skipped). */
export function messageIds(raw: string[]): string[] {
  const ids: string[] = [];
  for (const entry of raw) {
    try {
      const id = (JSON.parse(entry) as { id?: unknown }).id;
      if (typeof id === 'string') ids.push(id);
    } catch {
      // not a message: nothing to remove
    }
  }
  return ids;
}

function positiveInt(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

export interface PublisherOptions {
  keyspace: Keyspace;
  /** Events kept per room for resume (approximate). Default 1000. */
  historySize?: number;
  /** Seconds an idle room's history and sequence live. Default 24 h. */
  historyTtlSec?: number;
  /** Registry entries older than this (ms) are ignored when routing `user:` rooms. Default 30 s. */
  registryStaleMs?: number;
  /** Gateways whose heartbeat is older than this (ms) get no user-room messages. Default 5 s. */
  instanceStaleMs?: number;
  /** Offline queue of a user without a live connection. Defaults: 100 messages, 24 h. */
  offlineQueue?: { maxLength?: number; ttlSec?: number };
  /** Add a BullMQ job per queued delivery so it shows in the dashboard (default true). */
  offlineJobs?: boolean;
  /**
   * Circuit breaker around publishing: after `failures` consecutive failures, publish fails fast
   * (BrokenCircuitError) for `halfOpenAfterMs`, then one attempt decides. Default 5 / 1000 ms.
   */
  circuitBreaker?: { failures?: number; halfOpenAfterMs?: number } | false;
}

export type PublisherCircuitState = 'closed' | 'open' | 'half-open' | 'isolated';
const CIRCUIT_STATES: Record<CircuitState, PublisherCircuitState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

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
  publishToRooms<T extends EventType>(roomsToPublish: string[], input: Omit<PublishInput<T>, 'room'>): Promise<PublishResult[]>;
  /** Closes the BullMQ queue handle if one was opened (the Redis client stays the caller's). */
  close(): Promise<void>;
  /** State of the publishing circuit breaker ('closed' when it is disabled). */
  circuitState(): PublisherCircuitState;
}

/** An event the catalogue does not allow; thrown before anything reaches Redis. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
}

/** Data of one BullMQ job on the offline-deliveries queue (dashboard visibility only). */
export interface OfflineDeliveryJob {
  dealershipId: string;
  userId: string;
  messageId: string;
  event: string;
  seq: number;
}

type ScriptResult = [number, string, string, string?, number?, string[]?];
type ScriptedRedis = (Redis | Cluster) & {
  switchboardPublishEvent?: (seqKey: string, historyKey: string, epochKey: string, ...args: string[]) => Promise<ScriptResult>;
  switchboardPublishUserEvent?: (...keysAndArgs: string[]) => Promise<ScriptResult>;
};

/**
 * The one way anything publishes an event to WebSocket rooms. Each event gets a room-scoped
 * sequence number and a place in the room's history (for resume) in the same atomic step as
 * its PUBLISH. `user:` rooms are routed through the connection registry: to the instances that
 * hold the user's connections, or to the user's offline queue. The current trace context rides
 * along in the message.
 */
export function createPublisher(redis: Redis | Cluster, options: PublisherOptions): Publisher {
  const ks = options.keyspace;
  const historySize = String(options.historySize ?? PUBLISHER_DEFAULTS.historySize);
  const historyTtlSec = String(options.historyTtlSec ?? PUBLISHER_DEFAULTS.historyTtlSec);
  const registryStaleMs = String(options.registryStaleMs ?? PUBLISHER_DEFAULTS.registryStaleMs);
  const queueMax = options.offlineQueue?.maxLength ?? PUBLISHER_DEFAULTS.offlineQueueMaxLength;
  const queueTtlSec = options.offlineQueue?.ttlSec ?? PUBLISHER_DEFAULTS.offlineQueueTtlSec;
  const client = redis as ScriptedRedis;
  if (!client.switchboardPublishEvent) {
    client.defineCommand('switchboardPublishEvent', { numberOfKeys: 3, lua: PUBLISH_SCRIPT });
  }
  if (!client.switchboardPublishUserEvent) {
    client.defineCommand('switchboardPublishUserEvent', { numberOfKeys: 5, lua: PUBLISH_USER_SCRIPT });
  }
  const breaker =
    options.circuitBreaker === false
      ? undefined
      : circuitBreaker(handleAll, {
          halfOpenAfter: options.circuitBreaker?.halfOpenAfterMs ?? 1000,
          breaker: new ConsecutiveBreaker(options.circuitBreaker?.failures ?? 5),
        });
  const guarded = <T>(action: () => Promise<T>): Promise<T> => (breaker ? breaker.execute(action) : action());
  const liveness = createInstanceLiveness(redis, ks, { staleMs: options.instanceStaleMs ?? PUBLISHER_DEFAULTS.instanceStaleMs, cacheMs: 500 });
  let jobs: Queue<OfflineDeliveryJob> | undefined;
  const offlineJobs = () =>
    (jobs ??= new Queue<OfflineDeliveryJob>(ks.queues.offlineDeliveries, { connection: redis, prefix: ks.queues.bullmqPrefix }));

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
    const roomKeys = [ks.realtime.roomSeq(scope), ks.realtime.roomHistory(scope), ks.realtime.roomEpoch(scope)] as const;
    const newEpoch = randomBytes(6).toString('hex');
    const parsed = parseRoom(input.room);
    if (parsed?.kind === 'user' && parsed.id) {
      const userId = parsed.id;
      const staleInstances = await liveness.staleInstances();
      const [seq, epoch, , route, count, droppedMessages] = await guarded(() => client.switchboardPublishUserEvent!(
        ...roomKeys,
        ks.realtime.userConnections(input.dealershipId, userId),
        ks.realtime.offlineQueue(input.dealershipId, userId),
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
      ));
      const result: PublishResult = { id, seq: Number(seq), epoch, route: route === 'queued' ? 'queued' : 'direct' };
      if (route === 'queued') {
        result.dropped = Number(count ?? 0);
        if (options.offlineJobs !== false) {
          // A job lives as long as its message: delayed by the queue TTL (a gateway's worker
          // completes and removes it then), removed by the gateway when it delivers, and removed
          // here when the queue's max length drops its message.
          await offlineJobs().add(
            'offline-delivery',
            { dealershipId: input.dealershipId, userId, messageId: id, event: input.event, seq: Number(seq) },
            { jobId: id, delay: queueTtlSec * 1000, removeOnComplete: true, removeOnFail: 1000 },
          );
          const droppedIds = messageIds(droppedMessages ?? []);
          if (droppedIds.length > 0) await Promise.all(droppedIds.map((droppedId) => offlineJobs().remove(droppedId)));
        }
      }
      return result;
    }
    const channel = input.room === GLOBAL_ROOM ? ks.realtime.broadcastChannel() : ks.realtime.roomChannel(scope);
    const [seq, epoch] = await guarded(() => client.switchboardPublishEvent!(...roomKeys, channel, historySize, historyTtlSec, newEpoch, body));
    return { id, seq: Number(seq), epoch, route: 'room' };
  }

  return {
    publish,
    publishToRooms: (roomsToPublish, input) => Promise.all(roomsToPublish.map((room) => publish({ ...input, room } as PublishInput))),
    close: async () => {
      await jobs?.close();
    },
    circuitState: () => (breaker ? CIRCUIT_STATES[breaker.state] : 'closed'),
  };
}
