import { FLAGS, withServiceFlags } from '@switchboard/flags';
import { runPlatformService } from '@switchboard/service-kit';
import { SERVICE_NAME, buildApp } from './app.js';
import { instanceIdFrom, loadGatewayConfig } from './config.js';

await runPlatformService(SERVICE_NAME, loadGatewayConfig, (config, platform) => {
  const instanceId = instanceIdFrom(config);
  // stderr: the id is needed to find this instance in ws:instances and in logs.
  console.warn(`${SERVICE_NAME}: instance ${instanceId}`);
  return {
    shutdownTimeoutMs: config.LEAVE_ROTATION_MS + config.DRAIN_MS + 10_000,
    leaveRotationMs: config.LEAVE_ROTATION_MS,
    // REDIS_WEBSOCKET_SCALING is read live through the in-process SDK: the gateway switches
    // between scaled and single-instance mode within milliseconds of a change.
    build: () =>
      withServiceFlags(
        SERVICE_NAME,
        platform,
        [
          {
            key: FLAGS.REDIS_WEBSOCKET_SCALING,
            enabled: true,
            description:
              'Realtime gateway scaled mode (cluster registry in ws:instances / ws:connection, migration announcements); off = single-instance mode.',
          },
        ],
        (flags) =>
          buildApp({
            ...platform,
            instanceId,
            flags,
            heartbeatMs: config.HEARTBEAT_MS,
            idleTimeoutMs: config.IDLE_TIMEOUT_MS,
            drainMs: config.DRAIN_MS,
            maxPayload: config.MAX_PAYLOAD,
            ratePerMinute: config.RATE_LIMIT_PER_MIN,
            rateBurst: config.RATE_LIMIT_BURST,
            rateStrikes: config.RATE_LIMIT_STRIKES,
            connectRatePerMinute: config.CONNECT_RATE_PER_MIN,
            offlineQueueMax: config.OFFLINE_QUEUE_MAX,
            offlineQueueTtlSec: config.OFFLINE_QUEUE_TTL_SEC,
            instanceStaleMs: config.INSTANCE_STALE_MS,
            slowConsumerBytes: config.SLOW_CONSUMER_BYTES,
            registryTtlMs: config.REGISTRY_TTL_MS,
            instanceHeartbeatMs: config.INSTANCE_HEARTBEAT_MS,
            maxRoomsPerConnection: config.MAX_ROOMS_PER_CONNECTION,
            maxConnectionsPerUser: config.MAX_CONNECTIONS_PER_USER,
            maxConnectionsPerInstance: config.MAX_CONNECTIONS_PER_INSTANCE,
            compression: config.WS_COMPRESSION
              ? { thresholdBytes: config.WS_COMPRESSION_THRESHOLD }
              : false,
          }),
      ),
    beforeClose: async (app) => {
      const result = await app.gateway.drain();
      app.log.info(result, 'drained');
    },
  };
});
