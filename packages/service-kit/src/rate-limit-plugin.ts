import rateLimit from '@fastify/rate-limit';
import type { ProtectionConfig } from '@switchboard/config';
import { rateLimitError } from '@switchboard/errors';
import type { PrincipalClaims } from '@switchboard/auth';
import type { Keyspace } from '@switchboard/keyspace';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';

/** Route groups with their own per-principal limit; a route names its group in `config.rateLimitGroup`. */
export type RateLimitGroup = 'read' | 'write' | 'evaluate' | 'ofrep' | 'publish';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Which per-principal limit applies (default: `read` for GET/HEAD, else `write`); false = not limited. */
    rateLimitGroup?: RateLimitGroup | false;
  }
}

type RateLimitSettings = Pick<
  ProtectionConfig,
  | 'HTTP_RATE_LIMIT_ENABLED'
  | 'HTTP_RATE_LIMIT_WINDOW_MS'
  | 'HTTP_RATE_LIMIT_IP_MAX'
  | 'HTTP_RATE_LIMIT_READ_MAX'
  | 'HTTP_RATE_LIMIT_WRITE_MAX'
  | 'HTTP_RATE_LIMIT_EVALUATE_MAX'
  | 'HTTP_RATE_LIMIT_OFREP_MAX'
  | 'HTTP_RATE_LIMIT_PUBLISH_MAX'
>;

export interface RateLimitPluginOptions {
  service: string;
  settings: RateLimitSettings;
  keyspace: Keyspace;
}

/** Probes and scrapes must answer whatever a client does: they are never limited. */
const UNLIMITED_URLS = new Set(['/health/live', '/health/ready', '/health/websocket', '/metrics']);

type Limiter = (request: FastifyRequest) => Promise<{
  isAllowed: boolean;
  isExceeded?: boolean;
  max?: number;
  remaining?: number;
  ttl?: number;
  ttlInSeconds?: number;
}>;

const counted = Symbol('switchboard.rateLimit.principalCounted');
const bucketOwner = Symbol('switchboard.rateLimit.bucketOwner');
type CountedRequest = FastifyRequest & { [counted]?: boolean };
/** A request as one limiter call sees it: whose bucket this call spends (its IP or a principal). */
type BucketView = FastifyRequest & { [bucketOwner]?: 'ip' | PrincipalClaims };

/** The principal whose bucket a request spends, or undefined for its IP's. */
function ownerOf(request: BucketView): PrincipalClaims | undefined {
  const owner = request[bucketOwner];
  if (owner === 'ip') return undefined;
  return owner ?? request.principal ?? undefined;
}

/**
 * The request as one limiter call reads it (route, method, address) and whose bucket that call
 * spends: both calls of one request run at once, so each gets its own view.
 */
function viewAs(request: FastifyRequest, owner: 'ip' | PrincipalClaims): BucketView {
  return {
    routeOptions: request.routeOptions,
    method: request.method,
    ip: request.ip,
    [bucketOwner]: owner,
  } as unknown as BucketView;
}

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header || header.length < 8 || header.slice(0, 7).toLowerCase() !== 'bearer ')
    return undefined;
  return header.slice(7).trim() || undefined;
}

function groupOf(request: FastifyRequest): RateLimitGroup {
  const group = request.routeOptions.config?.rateLimitGroup;
  if (group) return group;
  return request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'write';
}

function limited(request: FastifyRequest): boolean {
  const url = request.routeOptions.url;
  if (url !== undefined && UNLIMITED_URLS.has(url)) return false;
  return request.routeOptions.config?.rateLimitGroup !== false;
}

/**
 * HTTP rate limits, shared by every instance of a service through Redis (@fastify/rate-limit
 * and its Redis store, fixed windows). Two buckets per request:
 * - per client IP, in onRequest, before the token is looked at, so a flood without (or with a
 *   bad) token is refused with 429 rather than answered 401 forever;
 * - per principal (dealership + sub) and route group, once the route has authenticated, so one
 *   tenant's caller never spends another's budget, and a sub reused in two dealerships has two.
 * Over a limit: 429 RATE_LIMITED in the envelope with Retry-After and `details {limit,
 * retryAfterSeconds}`. If Redis cannot be asked, requests pass (the limiter never turns a Redis
 * outage into refusals of its own; the routes that need Redis answer 503 themselves).
 */
async function rateLimits(app: FastifyInstance, options: RateLimitPluginOptions): Promise<void> {
  const { settings } = options;
  if (!settings.HTTP_RATE_LIMIT_ENABLED) return;
  const ks = options.keyspace.rateLimit;
  const groupMax: Record<RateLimitGroup, number> = {
    read: settings.HTTP_RATE_LIMIT_READ_MAX,
    write: settings.HTTP_RATE_LIMIT_WRITE_MAX,
    evaluate: settings.HTTP_RATE_LIMIT_EVALUATE_MAX,
    ofrep: settings.HTTP_RATE_LIMIT_OFREP_MAX,
    publish: settings.HTTP_RATE_LIMIT_PUBLISH_MAX,
  };
  // One limiter whose bucket follows the request's phase: no principal yet -> its IP; after
  // authentication -> the principal's bucket for the route's group.
  await app.register(rateLimit, {
    global: false,
    redis: app.redis,
    nameSpace: ks.namespace(options.service),
    skipOnError: true,
    timeWindow: settings.HTTP_RATE_LIMIT_WINDOW_MS,
    keyGenerator: (request) => {
      const principal = ownerOf(request);
      return principal
        ? ks.principalBucket(groupOf(request), principal.dealershipId, principal.sub)
        : ks.ipBucket(request.ip);
    },
    max: (request) =>
      ownerOf(request) ? groupMax[groupOf(request)] : settings.HTTP_RATE_LIMIT_IP_MAX,
  });
  const limiter = app.createRateLimit() as unknown as Limiter;

  type LimitResult = Awaited<ReturnType<Limiter>>;
  const enforce = async (
    request: FastifyRequest,
    reply: FastifyReply,
    phase: 'ip' | 'principal',
  ) => {
    answer(request, reply, phase, await limiter(request));
  };
  const answer = (
    request: FastifyRequest,
    reply: FastifyReply,
    phase: 'ip' | 'principal',
    result: LimitResult,
  ) => {
    if (result.isAllowed || result.max === undefined) return;
    if (result.isExceeded)
      throw rateLimitError({
        max: result.max,
        ttl: result.ttl ?? 0,
        after: `${result.ttlInSeconds ?? 0} s`,
      });
    // What a client can pace itself by: the bucket of its principal, or of its IP without one.
    if (phase === 'principal' || !request.principal) {
      // A reply is thenable (it resolves once sent); setting its status or headers leaves nothing to await.
      void reply
        .header('x-ratelimit-limit', result.max)
        .header('x-ratelimit-remaining', result.remaining ?? 0)
        .header('x-ratelimit-reset', result.ttlInSeconds ?? 0);
    }
  };

  const countPrincipal = async (request: CountedRequest, reply: FastifyReply) => {
    if (request[counted] || !request.principal || !limited(request)) return;
    request[counted] = true;
    await enforce(request, reply, 'principal');
  };

  app.addHook('onRoute', (route: RouteOptions) => {
    // WebSocket upgrades have their own per-IP connection limit and per-connection frame limits.
    if ((route as RouteOptions & { websocket?: boolean }).websocket)
      route.config = { ...route.config, rateLimitGroup: false };
  });
  /** The principal of a request's bearer token when it verifies, without answering for it. */
  const tokenPrincipal = (request: FastifyRequest): PrincipalClaims | undefined => {
    const token = bearerOf(request);
    if (!token) return undefined;
    try {
      return app.verifyToken(token);
    } catch {
      return undefined; // the route's own authentication answers 401
    }
  };

  app.addHook('onRequest', async (request: CountedRequest, reply) => {
    if (!limited(request)) return;
    const principal = tokenPrincipal(request);
    if (!principal) {
      await enforce(request, reply, 'ip');
      return;
    }
    // A valid token names its principal already: both buckets are spent in one round trip to
    // Redis instead of two in a row (the verification is the same one the route then reuses).
    request[counted] = true;
    const [ip, own] = await Promise.all([
      limiter(viewAs(request, 'ip')),
      limiter(viewAs(request, principal)),
    ]);
    answer(request, reply, 'ip', ip);
    answer(request, reply, 'principal', own);
  });
  // Routes authenticate in their own onRequest hooks, which run after the app's: the principal is
  // known by preParsing (before the body is read); preHandler catches routes that authenticate later.
  app.addHook('preParsing', async (request, reply, payload) => {
    await countPrincipal(request, reply);
    return payload;
  });
  app.addHook('preHandler', async (request, reply) => {
    await countPrincipal(request, reply);
  });
}

export const rateLimitPlugin = fp(rateLimits, {
  name: '@switchboard/rate-limit',
  fastify: '5.x',
  dependencies: ['@switchboard/redis'],
});
