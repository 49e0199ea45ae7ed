import type { Keyspace } from '@switchboard/keyspace';
import type { RedisClient } from '@switchboard/redis';
import type { FastifyBaseLogger } from 'fastify';
import type { GatewayCounters } from '../metrics/gateway-counters.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { ChannelSubscriber, type OfflineQueue, instanceChannels } from '@switchboard/room-log';
import { RedisInbox } from './redis-inbox.js';
import { RoomHub } from './room-hub.js';
import type { DisconnectCommand } from '../connection/disconnect-command.js';

export interface FanoutDeps {
  redis: RedisClient;
  redisUrl: string;
  ks: Keyspace;
  instanceId: string;
  offline: OfflineQueue;
  metrics: GatewayMetrics;
  counters: GatewayCounters;
  log: FastifyBaseLogger;
  onCommand(command: DisconnectCommand): void;
}

export interface Fanout {
  subscriber: ChannelSubscriber;
  hub: RoomHub;
}

/**
 * The instance's receiving side of Redis: one pub/sub connection whose messages enter through
 * the inbox and reach local members through the hub, which catches rooms up from history when
 * the connection comes back.
 */
export function createFanout(deps: FanoutDeps): Fanout {
  const { ks, metrics, counters, log } = deps;
  // The inbox needs the hub, which needs the subscriber: the callbacks below refer to parts
  // made after it, which exist by the time the connection (asynchronous) delivers anything.
  const subscriber = new ChannelSubscriber({
    url: deps.redisUrl,
    name: `gateway-${deps.instanceId}-sub`,
    fixedChannels: instanceChannels(ks, deps.instanceId),
    onMessage: (channel, message) => inbox.receive(channel, message),
    onReconnectAttempt: () => counters.redisReconnectAttempt(),
    onRecovered: () => {
      log.info('redis pub/sub recovered; catching rooms up from history');
      hub.catchUpAll();
    },
    onConnectionChange: (connected) => metrics.redisConnected.set(connected ? 1 : 0),
    log,
  });
  const hub = new RoomHub(deps.redis, ks, subscriber, metrics, log, () =>
    counters.duplicateDropped(),
  );
  const inbox = new RedisInbox({
    ks,
    instanceId: deps.instanceId,
    hub,
    offline: deps.offline,
    metrics,
    log,
    onCommand: deps.onCommand,
  });
  return { subscriber, hub };
}
