import type { Flag, FlagRule } from './flag-types.js';

// What PUT /api/flags/:key takes back: the definition, without the fields the service keeps.
const SERVICE_FIELDS = new Set([
  'key',
  'version',
  'createdAt',
  'updatedAt',
  'updatedBy',
  'archived',
]);

export function definitionOf(flag: Flag): Record<string, unknown> {
  return Object.fromEntries(Object.entries(flag).filter(([name]) => !SERVICE_FIELDS.has(name)));
}

/** The share (0–100) of the first variant in the flag's first percentage rollout, if it has one. */
export function rolloutPercent(flag: Flag): number | undefined {
  return flag.rules?.find((rule) => rule.rollout)?.rollout?.variants[0]?.weight;
}

/**
 * The rules with the first rollout set to `percent` for its first variant (the rest to the
 * second). A flag without a rollout gets one for everyone as its last rule, between the
 * default variant and the off variant (the other variant of a boolean flag).
 */
export function withRolloutPercent(flag: Flag, percent: number): FlagRule[] {
  const rules = flag.rules ?? [];
  const index = rules.findIndex((rule) => rule.rollout);
  const share = (variants: string[]) => [
    { variant: variants[0]!, weight: percent },
    { variant: variants[1]!, weight: 100 - percent },
  ];
  if (index >= 0) {
    const rollout = rules[index]!.rollout!;
    const names = rollout.variants.map((entry) => entry.variant);
    return rules.map((rule, at) =>
      at === index ? { ...rule, rollout: { ...rollout, variants: share(names) } } : rule,
    );
  }
  const other =
    Object.keys(flag.variants).find((name) => name !== flag.defaultVariant) ?? flag.defaultVariant;
  return [
    ...rules,
    { constraints: [], rollout: { variants: share([flag.defaultVariant, other]) } },
  ];
}
