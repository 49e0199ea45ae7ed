// Brings app.metrics / app.health / app.redis into the types when building against dist.
import type {} from '@switchboard/observability';
import type {} from '@switchboard/redis';
import { type Actor, type FlagCommands, type FlagStore, type FlagsClient, type WriteResult, createFlagsClient, flagCommands } from '@switchboard/flags';
import { type Keyspace, keyspace as defaultKeyspace } from '@switchboard/keyspace';
import { type Publisher, createPublisher } from '@switchboard/publisher';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { publishFlagEvent } from '../domain/flag-events.js';

declare module 'fastify' {
  interface FastifyInstance {
    flags: {
      store: FlagStore;
      /** The service's own in-process snapshot, kept live by the changes channel; evaluations read it. */
      client: FlagsClient;
      /**
       * Runs an admin change, makes it visible to this instance's evaluations at once, and
       * announces it to dashboards as a `flag.*` event.
       */
      change(actor: Actor, run: (commands: FlagCommands) => Promise<WriteResult>, reason?: string): Promise<WriteResult>;
    };
  }
}

export interface FlagsPluginOptions {
  keyspace?: Keyspace;
}

async function flags(app: FastifyInstance, options: FlagsPluginOptions): Promise<void> {
  const keyspace = options.keyspace ?? defaultKeyspace;
  const client = createFlagsClient({ redis: app.redis, keyspace, logger: app.log, registry: app.metrics });
  const commands = flagCommands(client.store);
  const publisher: Publisher = createPublisher(app.redis, { keyspace });

  app.decorate('flags', {
    store: client.store,
    client,
    async change(actor, run, reason) {
      const result = await run(commands);
      client.apply(result.flag, 'local');
      // The write is done and published to the SDKs; a failed dashboard event must not fail it.
      await publishFlagEvent(publisher, actor, result, reason).catch((error: unknown) => app.log.warn({ err: error, key: result.flag.key }, 'flag event not published'));
      return result;
    },
  });

  await client.start();
  app.health.addCheck('flags', async () => `${client.flags().length} flags loaded`);
  app.addHook('onClose', async () => {
    await client.close();
  });
}

export const flagsPlugin = fp(flags, { name: 'flag-service/flags', fastify: '5.x', dependencies: ['@switchboard/redis', '@switchboard/metrics', '@switchboard/health'] });
