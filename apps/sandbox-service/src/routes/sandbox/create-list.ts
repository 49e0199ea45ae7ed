import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { dealershipFilter } from '@switchboard/auth';
import { ok } from '@switchboard/errors';
import { hasAutoPause } from '../../domain/auto-pause-policy.js';
import { assertMetadataSize } from '../../domain/metadata-bound.js';
import { newSandboxId } from '../../domain/sandbox-store.js';
import { scheduleAutoPause } from '../../runtime/queues.js';
import { CreateSandboxBody, Envelope, ListQuery, SandboxView } from '../../schemas/sandbox.js';
import { sandboxView } from './present.js';

export const createListRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sandboxes, driver, operations, queues, settings } = app.sandbox;
  const quotas = app.sandboxQuotas;

  /** Both quotas are taken before the sandbox exists, so concurrent creates can never pass them; a refusal frees what was taken. */
  async function admitQuotas(dealershipId: string, id: string, autoPause: boolean): Promise<void> {
    await quotas.admit('sandboxes', dealershipId, id);
    if (!autoPause) return;
    try {
      await quotas.admit('auto-pause-schedules', dealershipId, id);
    } catch (error) {
      await quotas.release('sandboxes', dealershipId, id);
      throw error;
    }
  }

  async function releaseQuotas(dealershipId: string, id: string): Promise<void> {
    await Promise.all([
      quotas.release('sandboxes', dealershipId, id),
      quotas.release('auto-pause-schedules', dealershipId, id),
    ]);
  }

  app.post(
    '/',
    {
      onRequest: app.authenticate,
      preHandler: app.idempotent,
      schema: {
        tags: ['sandbox'],
        summary: 'Create a sandbox',
        body: CreateSandboxBody,
        response: { 201: Envelope(SandboxView) },
      },
    },
    async (request, reply) => {
      assertMetadataSize(request.body.metadata, settings.SANDBOX_METADATA_MAX_BYTES);
      const sandbox = await app.sandboxMetrics.observe('create', async () => {
        const id = newSandboxId();
        await admitQuotas(
          request.principal.dealershipId,
          id,
          hasAutoPause(request.body.settings?.autoPause),
        );
        const created = await operations
          .create({
            id,
            dealershipId: request.principal.dealershipId,
            actor: request.principal.sub,
            name: request.body.name,
            metadata: request.body.metadata,
            settings: request.body.settings ?? { autoPause: {} },
          })
          .catch(async (error: unknown) => {
            // A create that failed after its commit (an index write) left a live sandbox: it
            // keeps its slots. Unknown (Redis away) keeps them too, the safe side of a quota.
            const exists = await sandboxes.get(id).then(Boolean, () => true);
            if (exists) throw error;
            // The create error is the one the client must see; a quota slot left held is worth a warning.
            await releaseQuotas(request.principal.dealershipId, id).catch((releaseError: Error) =>
              request.log.warn(
                { err: releaseError, sandboxId: id },
                'quota not released after a failed create',
              ),
            );
            throw error;
          });
        try {
          await driver.create(created.id);
        } catch (error) {
          // The record exists but cannot run anything: it goes to `error` for everyone to see.
          request.log.error({ err: error, sandboxId: created.id }, 'sandbox driver create failed');
          const failed = await operations.act(created, 'fail', {
            actor: 'system',
            source: 'api',
            reason: `driver create failed: ${(error as Error).message}`,
          });
          return failed.kind === 'ok' ? failed.sandbox : (await sandboxes.get(created.id))!;
        }
        if (hasAutoPause(created.settings.autoPause))
          await scheduleAutoPause(queues, created.id, settings.AUTO_PAUSE_CHECK_INTERVAL_MS, true);
        return created;
      });
      return reply.code(201).send(ok(sandboxView(sandbox)));
    },
  );

  app.get(
    '/',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['sandbox'],
        summary:
          'List sandboxes (newest first); a page ends at `limit` items or about SANDBOX_LIST_MAX_BYTES, whichever comes first',
        querystring: ListQuery,
        response: {
          200: Envelope(
            Type.Object({
              items: Type.Array(SandboxView),
              nextCursor: Type.Union([Type.String(), Type.Null()]),
            }),
          ),
        },
      },
    },
    async (request) => {
      const page = await sandboxes.list({
        dealershipId: dealershipFilter(request.principal, request.query.dealershipId),
        state: request.query.state,
        q: request.query.q,
        limit: request.query.limit,
        cursor: request.query.cursor,
        maxBytes: settings.SANDBOX_LIST_MAX_BYTES,
      });
      return ok({ items: page.items.map(sandboxView), nextCursor: page.nextCursor });
    },
  );
};
