import { type Static, Type } from '@sinclair/typebox';
import { LeaveRotationEnv, ServiceEnv, loadConfig, portEnv } from '@switchboard/config';
import { RoomLogEnv } from '@switchboard/room-log';

/** Environment of the flag service (SPEC.md, Configuration). */
export const FlagsEnv = Type.Composite([ServiceEnv, RoomLogEnv, portEnv(3002), LeaveRotationEnv]);
export type FlagsConfig = Static<typeof FlagsEnv>;

export function loadFlagsConfig(
  env: Record<string, string | undefined> = process.env,
): FlagsConfig {
  return loadConfig(FlagsEnv, env);
}
