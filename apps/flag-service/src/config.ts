import { type Static, Type } from '@sinclair/typebox';
import { BaseEnv, ProtectionEnv, loadConfig } from '@switchboard/config';
import { RoomLogEnv } from '@switchboard/room-log';

/** Environment of the flag service (SPEC.md, Configuration). */
export const FlagsEnv = Type.Composite([
  BaseEnv,
  ProtectionEnv,
  RoomLogEnv,
  Type.Object({
    PORT: Type.Integer({ default: 3002, minimum: 0, maximum: 65535 }),
    DRAIN_MS: Type.Integer({
      default: 2000,
      minimum: 0,
      description:
        'after SIGTERM: readiness 503 but still serving this long, so the load balancer stops routing here first',
    }),
  }),
]);
export type FlagsConfig = Static<typeof FlagsEnv>;

export function loadFlagsConfig(
  env: Record<string, string | undefined> = process.env,
): FlagsConfig {
  return loadConfig(FlagsEnv, env);
}
