import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { tokenFromUpgrade } from '@switchboard/auth';
import { AppError, ErrorCode, failure, toAppError } from '@switchboard/errors';
import type { Keyspace } from '@switchboard/keyspace';
import { Queue } from 'bullmq';
import { closeQueue } from '../runtime/queues.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface QueueDashboardOptions {
  keyspace: Keyspace;
  /** Where the dashboard is served; HAProxy routes this prefix here. */
  basePath: string;
}

const COOKIE = 'switchboard_admin_token';

const DASHBOARD_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'", 'https://fonts.googleapis.com'],
  fontSrc: ["'self'", 'https://fonts.gstatic.com', 'data:'],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  frameAncestors: ["'self'"],
  baseUri: ["'self'"],
};

function cookieToken(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie ?? '';
  const match = new RegExp(`(?:^|;\\s*)${COOKIE}=([^;]+)`).exec(header);
  return match?.[1];
}

/**
 * The BullMQ dashboard (bull-board) for every queue of the platform: tool executions,
 * auto-pause checks and the gateway's queued deliveries. Admins only. A browser cannot send a
 * bearer header, so `?token=` is accepted once and kept in an HttpOnly cookie scoped to the
 * dashboard's path.
 */
export async function queueDashboardPlugin(
  app: FastifyInstance,
  options: QueueDashboardOptions,
): Promise<void> {
  const offlineDeliveries = new Queue(options.keyspace.queues.offlineDeliveries, {
    connection: app.redis,
    prefix: options.keyspace.queues.bullmqPrefix,
  });
  offlineDeliveries.on('error', (error) => app.log.warn({ err: error }, 'queue connection error'));
  app.addHook('onClose', async () => {
    await closeQueue(offlineDeliveries);
  });

  // bull-board's routes have their own error handler, so a refusal is sent here in our envelope.
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      authorize(request, reply);
    } catch (error) {
      const refusal = toAppError(error);
      return reply.status(refusal.statusCode).send(
        failure({
          code: refusal.code,
          message: refusal.message,
          details: refusal.details,
          traceId: request.traceId,
        }),
      );
    }
  });

  function authorize(request: FastifyRequest, reply: FastifyReply): void {
    const fromQuery = (request.query as Record<string, unknown> | undefined)?.['token'];
    const token = tokenFromUpgrade(request) ?? cookieToken(request);
    if (!token)
      throw new AppError(
        ErrorCode.UNAUTHORIZED,
        'The queue dashboard needs an admin token (?token= or Authorization: Bearer).',
        { reason: 'missing' },
      );
    const principal = app.verifyToken(token);
    if (principal.role !== 'admin')
      throw new AppError(ErrorCode.FORBIDDEN, 'The queue dashboard is for admins.', {
        required: ['admin'],
      });
    if (typeof fromQuery === 'string' && fromQuery === token) {
      const maxAge = Math.max(0, principal.exp - Math.floor(Date.now() / 1000));
      // A reply is thenable (it resolves once sent); setting its status or headers leaves nothing to await.
      void reply.header(
        'set-cookie',
        `${COOKIE}=${token}; Path=${options.basePath}; HttpOnly; SameSite=Strict; Max-Age=${maxAge}`,
      );
    }
  }

  // bull-board is a browser app: the API's deny-everything policy (service-kit) would block its
  // scripts, styles and fonts, so its routes get one that allows exactly those.
  app.addHook('onRoute', (route) => {
    route.config = {
      ...(route.config as object),
      helmet: { contentSecurityPolicy: { useDefaults: false, directives: DASHBOARD_CSP } },
    } as typeof route.config;
  });

  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(options.basePath);
  createBullBoard({
    queues: [
      new BullMQAdapter(app.sandbox.queues.executions, { readOnlyMode: false }),
      new BullMQAdapter(app.sandbox.queues.autoPause),
      new BullMQAdapter(offlineDeliveries, { readOnlyMode: true }),
      new BullMQAdapter(app.taskRuntime.timers.queue),
    ],
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Switchboard queues' } },
  });
  await app.register(serverAdapter.registerPlugin());
}
