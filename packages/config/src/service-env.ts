import { Type } from '@sinclair/typebox';
import { BaseEnv } from './base-env.js';
import { ProtectionEnv } from './protection-env.js';

/** What every HTTP service reads before its own settings (service-kit's runPlatformService). */
export const ServiceEnv = Type.Composite([BaseEnv, ProtectionEnv]);

/** Where an HTTP service listens; each service has its own default port. */
export const portEnv = (defaultPort: number) =>
  Type.Object({ PORT: Type.Integer({ default: defaultPort, minimum: 0, maximum: 65535 }) });

/** DRAIN_MS of a service behind the load balancer that leaves rotation before it stops. */
export const LeaveRotationEnv = Type.Object({
  DRAIN_MS: Type.Integer({
    default: 2000,
    minimum: 0,
    description:
      'after SIGTERM: readiness 503 but still serving this long, so the load balancer stops routing here first',
  }),
});
