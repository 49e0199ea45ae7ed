import semver from 'semver';
import { LIST_OPERATORS, type Flag } from '../model/flag-schema.js';
import { compileSafeRegex } from './safe-regex.js';

export interface ValidationIssue {
  /** JSON pointer into the submitted definition, e.g. `/rules/0/rollout/variants`. */
  path: string;
  message: string;
}

type Checked = Pick<Flag, 'type' | 'variants' | 'defaultVariant' | 'offVariant' | 'rules'>;

function valueMatchesType(type: Flag['type'], value: unknown): boolean {
  switch (type) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'json':
      return value !== undefined;
  }
}

/**
 * What the JSON schema cannot say about a definition: variants referenced exist and match the
 * flag type, rollout weights sum to 100, regexes compile under RE2, semver/number/date values
 * parse, and each rule serves exactly one of a variant or a rollout.
 */
export function validateFlag(flag: Checked): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const variantNames = new Set(Object.keys(flag.variants));
  if (variantNames.size === 0)
    issues.push({ path: '/variants', message: 'a flag needs at least one variant' });
  for (const [name, value] of Object.entries(flag.variants)) {
    if (!valueMatchesType(flag.type, value))
      issues.push({ path: `/variants/${name}`, message: `must be a ${flag.type} value` });
  }
  const refer = (path: string, name: string | undefined) => {
    if (name !== undefined && !variantNames.has(name))
      issues.push({ path, message: `unknown variant ${name}` });
  };
  refer('/defaultVariant', flag.defaultVariant);
  refer('/offVariant', flag.offVariant);

  flag.rules.forEach((rule, r) => {
    const at = `/rules/${r}`;
    if ((rule.variant === undefined) === (rule.rollout === undefined)) {
      issues.push({ path: at, message: 'a rule serves exactly one of variant or rollout' });
    }
    refer(`${at}/variant`, rule.variant);
    if (rule.rollout) {
      rule.rollout.variants.forEach((weighted, w) =>
        refer(`${at}/rollout/variants/${w}/variant`, weighted.variant),
      );
      const total = rule.rollout.variants.reduce((sum, weighted) => sum + weighted.weight, 0);
      if (Math.abs(total - 100) > 1e-9)
        issues.push({
          path: `${at}/rollout/variants`,
          message: `weights sum to ${total}, not 100`,
        });
      rule.rollout.variants.forEach((weighted, w) => {
        if (Math.abs(weighted.weight * 100 - Math.round(weighted.weight * 100)) > 1e-6) {
          issues.push({
            path: `${at}/rollout/variants/${w}/weight`,
            message: 'at most two decimals',
          });
        }
      });
    }
    rule.constraints.forEach((constraint, c) => {
      const cat = `${at}/constraints/${c}`;
      const { operator } = constraint;
      if (LIST_OPERATORS.has(operator)) {
        if (!constraint.values || constraint.values.length === 0)
          issues.push({
            path: `${cat}/values`,
            message: `${operator} needs a non-empty values list`,
          });
        return;
      }
      if (constraint.value === undefined) {
        issues.push({ path: `${cat}/value`, message: `${operator} needs a value` });
        return;
      }
      const value = String(constraint.value);
      if (operator === 'regex') {
        try {
          compileSafeRegex(value, constraint.caseInsensitive);
        } catch (error) {
          issues.push({ path: `${cat}/value`, message: `bad regex: ${(error as Error).message}` });
        }
      } else if (operator.startsWith('semver_') && !semver.valid(value)) {
        issues.push({ path: `${cat}/value`, message: `${value} is not a semantic version` });
      } else if (
        operator.startsWith('num_') &&
        (value.trim() === '' || !Number.isFinite(Number(value)))
      ) {
        issues.push({ path: `${cat}/value`, message: `${value} is not a number` });
      } else if (
        operator.startsWith('date_') &&
        typeof constraint.value === 'string' &&
        !Number.isFinite(Date.parse(value))
      ) {
        issues.push({ path: `${cat}/value`, message: `${value} is not an ISO 8601 date` });
      }
    });
  });
  return issues;
}
