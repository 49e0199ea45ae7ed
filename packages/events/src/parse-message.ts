import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/**
 * A message read off a Redis channel, parsed and checked against its schema; undefined when it
 * is not JSON or not that shape, so a writer's mistake is logged and skipped, never applied.
 */
export function parseMessage<T extends TSchema>(schema: T, raw: string): Static<T> | undefined {
  let message: unknown;
  try {
    message = JSON.parse(raw);
  } catch {
    return undefined;
  }
  return Value.Check(schema, message) ? message : undefined;
}
