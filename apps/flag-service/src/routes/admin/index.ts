import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requireRole } from '@switchboard/auth';
import { AppError, ErrorCode, errorResponses, ok } from '@switchboard/errors';
import { assertAuditCursor } from '../../domain/audit-cursor.js';
import { listFlags } from '../../domain/list-flags.js';
import { emptyBodyAsObject } from '../../http/empty-body.js';
import { storeCall } from '../../http/store-errors.js';
import { actorOf, changeFlag } from './change-flag.js';
import {
  ArchiveBody,
  CreateFlagBody,
  Flag,
  KeyParams,
  ListQuery,
  PageQuery,
  RollbackBody,
  ToggleBody,
  UpdateFlagBody,
  VersionsQuery,
  envelope,
} from '../../schemas/flags.js';

const errors = errorResponses(400, 401, 403, 404, 409);

const FlagEnvelope = envelope(Flag);
const VersionEntry = Type.Object({
  version: Type.Integer(),
  flag: Flag,
  action: Type.String(),
  actor: Type.String(),
  at: Type.String(),
  reason: Type.Optional(Type.String()),
  restoredVersion: Type.Optional(Type.Integer()),
});
const AuditEntry = Type.Object({
  id: Type.String(),
  key: Type.String(),
  version: Type.Integer(),
  action: Type.String(),
  actor: Type.String(),
  dealershipId: Type.Optional(Type.String()),
  at: Type.String(),
  reason: Type.Optional(Type.String()),
  diff: Type.Array(
    Type.Object({
      path: Type.String(),
      from: Type.Optional(Type.Unknown()),
      to: Type.Optional(Type.Unknown()),
    }),
  ),
});

/** The admin API (role admin): every change is a new version, audited and published. */
export const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const guard = { onRequest: [app.authenticate, requireRole('admin')] };
  const mutating = {
    onRequest: [app.authenticate, requireRole('admin')],
    preHandler: app.idempotent,
  };

  app.get(
    '/api/flags',
    {
      ...guard,
      schema: {
        tags: ['flags'],
        summary: 'List flags',
        querystring: ListQuery,
        response: {
          200: envelope(
            Type.Object({ items: Type.Array(Flag), nextCursor: Type.Optional(Type.String()) }),
          ),
          ...errors,
        },
      },
    },
    async (request) => {
      const { items, nextCursor } = listFlags(
        await storeCall(() => app.flags.store.getAll()),
        request.query,
      );
      return ok({ items, ...(nextCursor ? { nextCursor } : {}) });
    },
  );

  app.post(
    '/api/flags',
    {
      ...mutating,
      schema: {
        tags: ['flags'],
        summary: 'Create a flag',
        body: CreateFlagBody,
        response: { 201: FlagEnvelope, ...errors },
      },
    },
    async (request, reply) => {
      const { key, reason, ...definition } = request.body;
      const { flag } = await storeCall(() =>
        app.flags.change((commands) =>
          commands.create(key, definition, {
            actor: actorOf(request),
            ...(reason ? { reason } : {}),
          }),
        ),
      );
      // A reply is thenable (it resolves once sent); setting its status or headers leaves nothing to await.
      void reply.header('etag', `"${flag.version}"`).header('location', `/api/flags/${key}`);
      return reply.code(201).send(ok(flag));
    },
  );

  app.get(
    '/api/flags/:key',
    {
      ...guard,
      schema: {
        tags: ['flags'],
        summary: 'Get a flag',
        params: KeyParams,
        response: { 200: FlagEnvelope, ...errors },
      },
    },
    async (request, reply) => {
      const flag = await storeCall(() => app.flags.store.get(request.params.key));
      if (!flag)
        throw new AppError(ErrorCode.RECORD_NOT_FOUND, `flag ${request.params.key} not found`, {
          key: request.params.key,
        });
      // A reply is thenable (it resolves once sent); setting its status or headers leaves nothing to await.
      void reply.header('etag', `"${flag.version}"`);
      return ok(flag);
    },
  );

  app.put(
    '/api/flags/:key',
    {
      ...mutating,
      schema: {
        tags: ['flags'],
        summary: 'Replace a flag definition (new version)',
        params: KeyParams,
        body: UpdateFlagBody,
        response: { 200: FlagEnvelope, ...errors },
      },
    },
    async (request, reply) => {
      const { version, reason, ...definition } = request.body;
      return changeFlag(app, request, reply, { version, reason }, (commands, meta) =>
        commands.update(request.params.key, definition, meta),
      );
    },
  );

  app.post(
    '/api/flags/:key/toggle',
    {
      ...mutating,
      schema: {
        tags: ['flags'],
        summary: 'Flip the kill switch',
        params: KeyParams,
        body: ToggleBody,
        response: { 200: FlagEnvelope, ...errors },
      },
    },
    async (request, reply) => {
      const { enabled, version, reason } = request.body;
      return changeFlag(app, request, reply, { version, reason }, (commands, meta) =>
        commands.toggle(request.params.key, enabled, meta),
      );
    },
  );

  for (const archived of [true, false]) {
    app.post(
      `/api/flags/:key/${archived ? 'archive' : 'unarchive'}`,
      {
        ...mutating,
        preValidation: emptyBodyAsObject,
        schema: {
          tags: ['flags'],
          summary: archived ? 'Archive a flag (it stops evaluating)' : 'Unarchive a flag',
          params: KeyParams,
          body: ArchiveBody,
          response: { 200: FlagEnvelope, ...errors },
        },
      },
      async (request, reply) => {
        const { version, reason } = request.body;
        return changeFlag(app, request, reply, { version, reason }, (commands, meta) =>
          commands.archive(request.params.key, archived, meta),
        );
      },
    );
  }

  app.get(
    '/api/flags/:key/versions',
    {
      ...guard,
      schema: {
        tags: ['flags'],
        summary: 'Version history, oldest first',
        params: KeyParams,
        querystring: VersionsQuery,
        response: {
          200: envelope(Type.Object({ items: Type.Array(VersionEntry), total: Type.Integer() })),
          ...errors,
        },
      },
    },
    async (request) => {
      const page = await storeCall(() =>
        app.flags.store.versions(request.params.key, request.query),
      );
      if (page.total === 0)
        throw new AppError(ErrorCode.RECORD_NOT_FOUND, `flag ${request.params.key} not found`, {
          key: request.params.key,
        });
      return ok(page);
    },
  );

  app.post(
    '/api/flags/:key/rollback',
    {
      ...mutating,
      schema: {
        tags: ['flags'],
        summary: 'Make a new version equal to version N',
        params: KeyParams,
        body: RollbackBody,
        response: { 200: FlagEnvelope, ...errors },
      },
    },
    async (request, reply) => {
      // The body's version is the one to restore; the version it is made from comes from If-Match only.
      const { version, reason } = request.body;
      return changeFlag(app, request, reply, { reason }, (commands, meta) =>
        commands.rollback(request.params.key, version, meta),
      );
    },
  );

  app.get(
    '/api/flags/:key/audit',
    {
      ...guard,
      schema: {
        tags: ['flags'],
        summary: 'Audit log of a flag, newest first',
        params: KeyParams,
        querystring: PageQuery,
        response: {
          200: envelope(
            Type.Object({
              items: Type.Array(AuditEntry),
              nextCursor: Type.Optional(Type.String()),
            }),
          ),
          ...errors,
        },
      },
    },
    async (request) => {
      if (request.query.cursor) assertAuditCursor(request.query.cursor);
      const { items, nextCursor } = await storeCall(() =>
        app.flags.store.audit(request.params.key, {
          limit: request.query.limit,
          ...(request.query.cursor ? { cursor: request.query.cursor } : {}),
        }),
      );
      if (
        items.length === 0 &&
        !request.query.cursor &&
        !(await app.flags.store.get(request.params.key))
      ) {
        throw new AppError(ErrorCode.RECORD_NOT_FOUND, `flag ${request.params.key} not found`, {
          key: request.params.key,
        });
      }
      return ok({ items, ...(nextCursor ? { nextCursor } : {}) });
    },
  );
};
