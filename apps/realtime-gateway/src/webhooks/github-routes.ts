import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requireRole } from '@switchboard/auth';
import { AppError, ErrorCode, errorResponses, ok } from '@switchboard/errors';
import { rooms } from '@switchboard/events';
import type { PublishService } from '../server-api/publish-service.js';
import { envelope } from '../server-api/schemas.js';
import type { GithubConfigStore } from './github-config.js';
import { HANDLED_GITHUB_EVENTS, mapGithubEvent, repositoryOf } from './github-events.js';
import { verifyGithubSignature } from './github-signature.js';

export interface GithubRoutesOptions {
  store: GithubConfigStore;
  service: PublishService;
  /** Largest delivery accepted (GitHub caps payloads at 25 MB; pull_request ones are far smaller). */
  bodyLimit?: number;
}

const DealershipParams = Type.Object({
  dealershipId: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.-]+$' }),
});
const RepoName = Type.String({
  minLength: 3,
  maxLength: 200,
  pattern: '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$',
});
const ConfigBody = Type.Object(
  {
    secret: Type.Optional(
      Type.String({ minLength: 16, maxLength: 256, description: 'Write-only' }),
    ),
    repos: Type.Optional(
      Type.Record(
        RepoName,
        Type.Union([Type.String({ pattern: '^[A-Za-z0-9_.-]{1,128}$' }), Type.Null()]),
        {
          maxProperties: 500,
          description: 'owner/repo -> project id (null removes the mapping)',
        },
      ),
    ),
  },
  { additionalProperties: false },
);
const ConfigView = Type.Object({
  dealershipId: Type.String(),
  secretSet: Type.Boolean(),
  repos: Type.Record(Type.String(), Type.String()),
});
const DeliveryResult = Type.Object({
  status: Type.Union([
    Type.Literal('published'),
    Type.Literal('ignored'),
    Type.Literal('duplicate'),
  ]),
  reason: Type.Optional(Type.String()),
  event: Type.Optional(Type.String()),
  room: Type.Optional(Type.String()),
  seq: Type.Optional(Type.Integer()),
});

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
const unauthorized = () =>
  new AppError(
    ErrorCode.UNAUTHORIZED,
    'The delivery signature (X-Hub-Signature-256) is missing or wrong.',
    {
      reason: 'bad-signature',
    },
  );

/**
 * GitHub webhooks: `pull_request` and `issues` deliveries become `pr.*` / `issue.*` events in
 * the mapped project room. Authenticated by the dealership's HMAC secret over the raw body (so
 * this plugin reads bodies as bytes), deduplicated by X-GitHub-Delivery.
 */
export const githubRoutes: FastifyPluginAsyncTypebox<GithubRoutesOptions> = async (
  app,
  options,
) => {
  const { store, service } = options;
  // The signature is over the exact bytes GitHub sent: keep them, parse after verifying.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: options.bodyLimit ?? 5 * 1024 * 1024 },
    (_request, body, done) => done(null, body),
  );

  app.post(
    '/api/realtime/webhooks/github/:dealershipId',
    {
      schema: {
        tags: ['webhooks'],
        summary:
          'GitHub webhook (X-Hub-Signature-256); pull_request and issues become pr.* / issue.*',
        params: DealershipParams,
        security: [],
        response: {
          200: envelope(DeliveryResult),
          202: envelope(DeliveryResult),
          ...errorResponses(400, 401, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const { dealershipId } = request.params;
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const secret = await store.secret(dealershipId);
      // No secret configured answers like a wrong signature: dealerships cannot be probed.
      if (
        !secret ||
        !verifyGithubSignature(secret, body, header(request.headers['x-hub-signature-256']))
      )
        throw unauthorized();
      const githubEvent = header(request.headers['x-github-event']) ?? '';
      const deliveryId = header(request.headers['x-github-delivery']);
      if (!deliveryId || deliveryId.length > 100)
        throw new AppError(ErrorCode.VALIDATION_ERROR, 'X-GitHub-Delivery is required.', {
          field: 'x-github-delivery',
        });
      const ignore = (reason: string) => {
        void reply.status(202);
        return ok({ status: 'ignored' as const, reason });
      };
      if (!HANDLED_GITHUB_EVENTS.has(githubEvent))
        return ignore(`event ${githubEvent || '(none)'}`);
      let payload: unknown;
      try {
        payload = JSON.parse(body.toString('utf8'));
      } catch {
        throw new AppError(
          ErrorCode.VALIDATION_ERROR,
          'The delivery is not JSON (set the content type to application/json).',
          {
            field: 'body',
          },
        );
      }
      const mapped = mapGithubEvent(githubEvent, payload);
      if (!mapped) return ignore(`action of ${githubEvent} not mapped`);
      const repository = repositoryOf(payload)!;
      const projectId = await store.projectOf(dealershipId, repository);
      if (!projectId) return ignore(`repository ${repository} has no project`);
      if (!(await store.firstDelivery(dealershipId, deliveryId)))
        return ok({ status: 'duplicate' as const, event: mapped.event });
      const room = rooms.project(projectId);
      try {
        const result = await service.append(
          dealershipId,
          { room, event: mapped.event, data: mapped.data },
          `gh-${deliveryId}`,
        );
        return ok({ status: 'published' as const, event: mapped.event, room, seq: result.seq });
      } catch (error) {
        // Not published: GitHub's redelivery must not be taken for a duplicate.
        await store.forgetDelivery(dealershipId, deliveryId).catch(() => undefined);
        throw error;
      }
    },
  );
};

/** PUT /api/realtime/webhooks/github/:dealershipId/config (admins): secret and repository mapping. */
export const githubConfigRoutes: FastifyPluginAsyncTypebox<{ store: GithubConfigStore }> = async (
  app,
  options,
) => {
  const { store } = options;
  const guard = { onRequest: [app.authenticate, requireRole('admin')] };
  const view = async (dealershipId: string) => ({
    dealershipId,
    secretSet: await store.hasSecret(dealershipId),
    repos: await store.repositories(dealershipId),
  });

  app.put(
    '/api/realtime/webhooks/github/:dealershipId/config',
    {
      ...guard,
      schema: {
        tags: ['webhooks'],
        summary:
          "Set a dealership's GitHub webhook secret and repository -> project mapping (admins)",
        params: DealershipParams,
        body: ConfigBody,
        response: { 200: envelope(ConfigView), ...errorResponses(400, 401, 403, 429, 503) },
      },
    },
    async (request) => {
      const { dealershipId } = request.params;
      if (request.body.secret !== undefined)
        await store.setSecret(dealershipId, request.body.secret);
      if (request.body.repos) await store.mapRepositories(dealershipId, request.body.repos);
      return ok(await view(dealershipId));
    },
  );

  app.get(
    '/api/realtime/webhooks/github/:dealershipId/config',
    {
      ...guard,
      schema: {
        tags: ['webhooks'],
        summary: "A dealership's GitHub webhook settings (the secret is never returned)",
        params: DealershipParams,
        response: { 200: envelope(ConfigView), ...errorResponses(401, 403, 429, 503) },
      },
    },
    async (request) => ok(await view(request.params.dealershipId)),
  );
};
