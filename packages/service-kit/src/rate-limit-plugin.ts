import type { ProtectionConfig } from '@switchboard/config';
import { rateLimitError } from '@switchboard/errors';
import type { PrincipalClaims } from '@switchboard/auth';
import type { Keyspace } from '@switchboard/keyspace';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
import fp from 'fastify-plugin';
import { type LimitDecision, LeaseLimiter } from './lease-limiter.js';

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

const counted = Symbol('switchboard.rateLimit.principalCounted');
type CountedRequest = FastifyRequest & { [counted]?: boolean };

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

/** A bucket's decision, or undefined when Redis could not be asked (the request passes). */
type Outcome = LimitDecision | undefined;

const PASS: Outcome = undefined;

/**
 * HTTP rate limits, shared by every instance of a service through Redis (fixed windows, leased
 * by each instance in blocks: `lease-limiter.ts`). Two buckets per request:
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
  const namespace = ks.namespace(options.service);
  const groupMax: Record<RateLimitGroup, number> = {
    read: settings.HTTP_RATE_LIMIT_READ_MAX,
    write: settings.HTTP_RATE_LIMIT_WRITE_MAX,
    evaluate: settings.HTTP_RATE_LIMIT_EVALUATE_MAX,
    ofrep: settings.HTTP_RATE_LIMIT_OFREP_MAX,
    publish: settings.HTTP_RATE_LIMIT_PUBLISH_MAX,
  };
  const limiter = new LeaseLimiter({
    redis: app.redis,
    windowMs: settings.HTTP_RATE_LIMIT_WINDOW_MS,
  });

  const spendIp = (request: FastifyRequest) =>
    limiter.spend(namespace + ks.ipBucket(request.ip), settings.HTTP_RATE_LIMIT_IP_MAX);
  const spendPrincipal = (request: FastifyRequest, principal: PrincipalClaims) => {
    const group = groupOf(request);
    return limiter.spend(
      namespace + ks.principalBucket(group, principal.dealershipId, principal.sub),
      groupMax[group],
    );
  };

  /** Refuses past a limit; tells an allowed client its bucket (the principal's, else the IP's). */
  const answer = (reply: FastifyReply, outcome: Outcome, pace: boolean): void => {
    if (outcome === undefined) return;
    const seconds = Math.max(0, Math.ceil(outcome.resetMs / 1000));
    if (!outcome.allowed)
      throw rateLimitError({ max: outcome.limit, ttl: outcome.resetMs, after: `${seconds} s` });
    if (pace)
      // A reply is thenable (it resolves once sent); setting its headers leaves nothing to await.
      void reply
        .header('x-ratelimit-limit', outcome.limit)
        .header('x-ratelimit-remaining', outcome.remaining)
        .header('x-ratelimit-reset', seconds);
  };

  /**
   * Runs a hook's spends: decided at once while this instance holds lease of the buckets (the
   * common case: no promise, no Redis), else once the leases are taken. A Redis failure passes.
   */
  const settle = (
    spends: Array<LimitDecision | Promise<LimitDecision>>,
    finish: (outcomes: Outcome[]) => void,
    done: HookHandlerDoneFunction,
  ): void => {
    if (!spends.some((spend) => spend instanceof Promise)) {
      try {
        finish(spends as LimitDecision[]);
      } catch (error) {
        done(error as Error);
        return;
      }
      done();
      return;
    }
    Promise.all(spends.map((spend) => Promise.resolve(spend).catch(() => PASS))).then(
      (outcomes) => {
        try {
          finish(outcomes);
        } catch (error) {
          done(error as Error);
          return;
        }
        done();
      },
      done,
    );
  };
  const countPrincipal = (
    request: CountedRequest,
    reply: FastifyReply,
    done: HookHandlerDoneFunction,
  ) => {
    if (request[counted] || !request.principal || !limited(request)) {
      done();
      return;
    }
    request[counted] = true;
    const principal = request.principal;
    settle([spendPrincipal(request, principal)], ([own]) => answer(reply, own, true), done);
  };

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

  app.addHook('onRequest', (request: CountedRequest, reply, done) => {
    if (!limited(request)) {
      done();
      return;
    }
    const principal = tokenPrincipal(request);
    if (!principal) {
      settle([spendIp(request)], ([ip]) => answer(reply, ip, true), done);
      return;
    }
    // A valid token names its principal already: both buckets are spent at once (the
    // verification is the same one the route then reuses).
    request[counted] = true;
    settle(
      [spendIp(request), spendPrincipal(request, principal)],
      ([ip, own]) => {
        answer(reply, ip, false);
        answer(reply, own, true);
      },
      done,
    );
  });
  // Routes authenticate in their own onRequest hooks, which run after the app's: the principal is
  // known by preParsing (before the body is read); preHandler catches routes that authenticate later.
  app.addHook('preParsing', (request, reply, payload, done) => {
    countPrincipal(request, reply, (error?: Error) => (error ? done(error) : done(null, payload)));
  });
  app.addHook('preHandler', countPrincipal);
}

export const rateLimitPlugin = fp(rateLimits, {
  name: '@switchboard/rate-limit',
  fastify: '5.x',
  dependencies: ['@switchboard/redis'],
});
