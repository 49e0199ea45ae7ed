import {
  type PrincipalClaims,
  type UpgradeRequestParts,
  tokenFromUpgrade,
} from '@switchboard/auth';
import { AppError, ErrorCode } from '@switchboard/errors';
import type { Gateway } from '../gateway.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';

/** What admission looks at: the client's address (trustProxy applied), headers and URL. */
export interface UpgradeCandidate extends UpgradeRequestParts {
  ip: string;
}

export interface UpgradeAdmissionDeps {
  gateway: Pick<Gateway, 'draining' | 'full' | 'ipLimiter'>;
  metrics: Pick<GatewayMetrics, 'rateLimited'>;
  verifyToken(token: string): PrincipalClaims;
}

/** Another instance may have room at once: the load balancer's next pick is elsewhere. */
const TRY_ELSEWHERE = { headers: { 'retry-after': '1' } };

/** Spends one upgrade of the IP's connect budget; throws the 429 when it is spent. */
export function upgradeIpCharge(deps: Pick<UpgradeAdmissionDeps, 'gateway' | 'metrics'>) {
  return (ip: string): void => {
    if (deps.gateway.ipLimiter.allow(ip)) return;
    deps.metrics.rateLimited.inc({ scope: 'connect' });
    throw new AppError(ErrorCode.RATE_LIMITED, 'Too many connection attempts from this address.');
  };
}

/**
 * Who may open a socket on `/ws`, decided before the handshake: refuses while draining or at
 * the instance's connection limit (503), over the per-IP connection rate (429) and without a
 * valid token (401, the verifier's reason); returns the token's principal otherwise. Throws the
 * AppError the client is answered with.
 */
export function upgradeAdmission(
  deps: UpgradeAdmissionDeps,
): (candidate: UpgradeCandidate) => PrincipalClaims {
  const chargeIp = upgradeIpCharge(deps);
  return (candidate) => {
    if (deps.gateway.draining)
      throw new AppError(
        ErrorCode.SERVICE_UNAVAILABLE,
        'This instance is draining; connect to another.',
        undefined,
        TRY_ELSEWHERE,
      );
    if (deps.gateway.full)
      throw new AppError(
        ErrorCode.SERVICE_UNAVAILABLE,
        'This instance holds as many connections as it may; connect to another.',
        { reason: 'instance_full' },
        TRY_ELSEWHERE,
      );
    chargeIp(candidate.ip);
    const token = tokenFromUpgrade(candidate);
    if (!token)
      throw new AppError(
        ErrorCode.UNAUTHORIZED,
        'A token is required (Authorization: Bearer or ?token=).',
        { reason: 'missing' },
      );
    return deps.verifyToken(token);
  };
}
