// Brings app.metrics / app.health / app.redis into the types when building against dist.
import type {} from '@switchboard/observability';
import type {} from '@switchboard/redis';
import {
  type FlagCommands,
  type FlagStore,
  type FlagsClient,
  type WriteResult,
  createFlagsClient,
  flagCommands,
} from '@switchboard/flags';
import type { Keyspace } from '@switchboard/keyspace';
import type { RoomLogSettings } from '@switchboard/room-log';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { FLAG_OUTBOX, createFlagOutbox } from '../domain/flag-events.js';

declare module 'fastify' {
  interface FastifyInstance {
    flags: {
      store: FlagStore;
      /** The service's own in-process snapshot, kept live by the changes channel; evaluations read it. */
      client: FlagsClient;
      /**
       * Runs an admin change, makes it visible to this instance's evaluations at once, and
       * announces it to dashboards as a `flag.*` event (committed with the write).
       */
      change(run: (commands: FlagCommands) => Promise<WriteResult>): Promise<WriteResult>;
    };
  }
}

export interface FlagsPluginOptions {
  keyspace: Keyspace;
  /** How often this instance publishes flag events whose writer did not (it died, or was another service). */
  outboxSweepEveryMs?: number;
  /** A write's own relay is given this long before a sweeper publishes its event instead. */
  outboxSweepAfterMs?: number;
  roomLog?: RoomLogSettings;
}

async function flags(app: FastifyInstance, options: FlagsPluginOptions): Promise<void> {
  const { keyspace } = options;
  const client = createFlagsClient({
    redis: app.redis,
    keyspace,
    logger: app.log,
    registry: app.metrics,
  });
  const commands = flagCommands(client.store);
  // Every write puts its event in the flag outbox with the write itself (flag store script);
  // the outbox publishes them in version order, whichever instance (or service) wrote.
  const events = createFlagOutbox({
    redis: app.redis,
    keyspace,
    sweepAfterMs: options.outboxSweepAfterMs ?? 5000,
    ...(options.roomLog ? { roomLog: options.roomLog } : {}),
    log: { warn: (details, message) => app.log.warn(details, message) },
  });

  app.decorate('flags', {
    store: client.store,
    client,
    async change(run) {
      const result = await run(commands);
      client.apply(result.flag, 'local');
      // The event was committed with the write; a failure to publish it now is retried by the sweeper.
      await events.relay(FLAG_OUTBOX);
      return result;
    },
  });

  await client.start();
  const stopSweeper = events.startSweeper(options.outboxSweepEveryMs ?? 1000);
  app.health.addCheck('flags', async () => `${client.flags().length} flags loaded`);
  app.addHook('onClose', async () => {
    stopSweeper();
    await client.close();
  });
}

export const flagsPlugin = fp(flags, {
  name: 'flag-service/flags',
  fastify: '5.x',
  dependencies: ['@switchboard/redis', '@switchboard/metrics', '@switchboard/health'],
});
