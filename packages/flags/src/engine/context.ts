import type { FlagContext } from '../flag-reader.js';

/**
 * Reads an attribute from a context. `targetingKey` and `userId` stand in for each other (the
 * OpenFeature and the Switchboard name of the same thing); `currentTime` defaults to now.
 */
export function attributeOf(context: FlagContext, attribute: string): unknown {
  const value = context[attribute];
  if (value !== undefined && value !== null) return value;
  if (attribute === 'targetingKey') return context.userId;
  if (attribute === 'userId') return context.targetingKey;
  if (attribute === 'currentTime') return new Date().toISOString();
  return undefined;
}

/** The attribute as a string for comparisons; objects and arrays do not compare. */
export function attributeString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  return undefined;
}
