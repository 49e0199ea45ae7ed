import type { Flag, FlagDefinition, FlagType } from './flag-schema.js';

/** The definition part of a flag: everything an admin writes, nothing the store assigns. */
export type FlagBody = Pick<
  Flag,
  | 'description'
  | 'type'
  | 'enabled'
  | 'variants'
  | 'defaultVariant'
  | 'offVariant'
  | 'rules'
  | 'tags'
>;

const BOOLEAN_VARIANTS = { on: true, off: false };

function inferType(definition: FlagDefinition): FlagType {
  if (definition.type) return definition.type;
  const values = Object.values(definition.variants ?? {});
  if (values.length === 0 || values.every((value) => typeof value === 'boolean')) return 'boolean';
  if (values.every((value) => typeof value === 'string')) return 'string';
  if (values.every((value) => typeof value === 'number')) return 'number';
  return 'json';
}

/**
 * Fills the defaults of a submitted definition: boolean flags get {on: true, off: false} and
 * serve `on`; an absent `enabled` keeps the current state (the toggle owns it) or starts off.
 * Returns the first variant as default when none is named, so the result always validates
 * structurally; validateFlag reports what is still wrong.
 */
export function normalizeDefinition(
  definition: FlagDefinition,
  current?: Pick<Flag, 'enabled'>,
): FlagBody {
  const type = inferType(definition);
  const variants = definition.variants ?? (type === 'boolean' ? { ...BOOLEAN_VARIANTS } : {});
  const defaultVariant =
    definition.defaultVariant ??
    (type === 'boolean' && 'on' in variants ? 'on' : (Object.keys(variants)[0] ?? ''));
  return {
    description: definition.description ?? '',
    type,
    enabled: definition.enabled ?? current?.enabled ?? false,
    variants,
    defaultVariant,
    ...(definition.offVariant !== undefined ? { offVariant: definition.offVariant } : {}),
    rules: definition.rules ?? [],
    tags: [...new Set(definition.tags ?? [])],
  };
}

/** The definition part of a stored flag (what a rollback restores). */
export function bodyOf(flag: Flag): FlagBody {
  return {
    description: flag.description,
    type: flag.type,
    enabled: flag.enabled,
    variants: flag.variants,
    defaultVariant: flag.defaultVariant,
    ...(flag.offVariant !== undefined ? { offVariant: flag.offVariant } : {}),
    rules: flag.rules,
    tags: flag.tags,
  };
}
