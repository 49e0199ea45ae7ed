import fastifyJwt from '@fastify/jwt';
import { Value } from '@sinclair/typebox/value';
import { AppError, ErrorCode } from '@switchboard/errors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type Algorithm, algorithmForPublicKey } from './algorithms.js';
import { Principal, type PrincipalClaims } from './principal.js';
import type { RevocationCheck } from './revocation.js';
import { bearerToken } from './token-from-request.js';
import { createVerifiedTokenCache } from './verified-token-cache.js';

export type AuthKeys = { secret: string } | { publicKey: string };

export interface AuthPluginOptions {
  keys: AuthKeys;
  /** Allowed clock skew in seconds (SPEC: at most 30). */
  clockSkewSec?: number;
  /**
   * The jti deny-list (RevocationList). Asked after the signature and claims are verified, as a
   * step of its own, so it applies to every verification, cached or not.
   */
  revocations?: RevocationCheck;
  /**
   * Whether `service` tokens (scoped to the realtime server API) are accepted at all. Default
   * false: a service that does not know their scopes refuses them (403) instead of treating
   * them as a user of their dealership.
   */
  acceptServiceTokens?: boolean;
  /**
   * Verified tokens kept (until they expire) so a repeated token is not verified again
   * (default 10 000; 0 verifies every request).
   */
  verifiedTokenCacheSize?: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller; set by `app.authenticate`. */
    principal: PrincipalClaims;
  }
  interface FastifyInstance {
    /** preHandler: verifies the bearer token and sets `request.principal`, or answers 401. */
    authenticate: (request: FastifyRequest) => Promise<void>;
    /** Verifies a raw token (e.g. from a WebSocket upgrade); throws AppError UNAUTHORIZED. */
    verifyToken: (token: string) => PrincipalClaims;
  }
}

/** Reads JWT_SECRET or JWT_PUBLIC_KEY; returns undefined when neither is set. */
export function authKeysFromEnv(env: {
  JWT_SECRET?: string | undefined;
  JWT_PUBLIC_KEY?: string | undefined;
}): AuthKeys | undefined {
  if (env.JWT_PUBLIC_KEY) return { publicKey: env.JWT_PUBLIC_KEY.replace(/\\n/g, '\n') };
  if (env.JWT_SECRET) return { secret: env.JWT_SECRET };
  return undefined;
}

function unauthorized(reason: string, message: string): AppError {
  return new AppError(ErrorCode.UNAUTHORIZED, message, { reason });
}

function translateJwtError(error: unknown): AppError {
  const code = (error as { code?: string }).code ?? '';
  if (code.includes('EXPIRED')) return unauthorized('expired', 'The token has expired.');
  if (code.includes('INACTIVE'))
    return unauthorized('not-yet-valid', 'The token is not valid yet.');
  if (code.includes('MISSING_REQUIRED_CLAIM'))
    return unauthorized('missing-claim', 'The token lacks a required claim.');
  return unauthorized('invalid', 'The token is invalid.');
}

async function auth(app: FastifyInstance, options: AuthPluginOptions): Promise<void> {
  const skewSec = Math.min(options.clockSkewSec ?? 30, 30);
  const algorithm: Algorithm =
    'secret' in options.keys ? 'HS256' : algorithmForPublicKey(options.keys.publicKey);
  const key =
    'secret' in options.keys
      ? options.keys.secret
      : { public: options.keys.publicKey, private: '' };
  await app.register(fastifyJwt, {
    secret: key,
    verify: {
      algorithms: [algorithm],
      clockTolerance: skewSec * 1000,
      requiredClaims: ['sub', 'exp', 'dealershipId', 'role'],
    },
  });

  const verified = createVerifiedTokenCache({
    maxEntries: options.verifiedTokenCacheSize ?? 10_000,
    skewSec,
  });

  /**
   * `remember`: keep the token once verified. Only HTTP requests (`authenticate`) do: a caller
   * repeats its token on every request, while a WebSocket upgrade presents each token once, so
   * keeping those would only hold memory for the connection's lifetime. Both read the cache.
   */
  const verify = (token: string, remember: boolean): PrincipalClaims => {
    const known = verified.get(token, Date.now());
    if (known) return known;
    const claims = verifySignedClaims(token);
    if (remember) verified.set(token, claims);
    return claims;
  };
  const verifySignedClaims = (token: string): PrincipalClaims => {
    let claims: unknown;
    try {
      claims = app.jwt.verify(token);
    } catch (error) {
      throw translateJwtError(error);
    }
    if (!Value.Check(Principal, claims)) {
      const first = [...Value.Errors(Principal, claims)][0];
      throw unauthorized(
        'bad-claims',
        `The token's claims are invalid${first ? `: ${first.path} ${first.message}` : ''}.`,
      );
    }
    // The JWT library checks exp and nbf but not iat: a token "issued" in the future was minted
    // by a wrong clock or forged to outlive its stated lifetime.
    if (claims.iat !== undefined && claims.iat > Math.floor(Date.now() / 1000) + skewSec) {
      throw unauthorized('issued-in-future', 'The token was issued in the future.');
    }
    return claims;
  };

  /** Applied on every verification, cached or not: a revoked token stops at once. */
  const admit = (claims: PrincipalClaims): PrincipalClaims => {
    if (claims.jti !== undefined && options.revocations?.isRevoked(claims.jti))
      throw unauthorized('revoked', 'The token has been revoked.');
    if (claims.role === 'service' && options.acceptServiceTokens !== true)
      throw new AppError(ErrorCode.FORBIDDEN, 'Service tokens are not accepted by this service.', {
        reason: 'service-token',
      });
    return claims;
  };

  const verifyToken = (token: string): PrincipalClaims => admit(verify(token, false));

  app.decorate('verifyToken', verifyToken);
  app.decorateRequest('principal', null as unknown as PrincipalClaims);
  app.decorate('authenticate', async (request: FastifyRequest) => {
    const token = bearerToken(request.headers.authorization);
    if (!token) throw unauthorized('missing', 'A bearer token is required.');
    request.principal = admit(verify(token, true));
  });
}

export const authPlugin = fp(auth, {
  name: '@switchboard/auth',
  fastify: '5.x',
  dependencies: ['@switchboard/errors'],
});
