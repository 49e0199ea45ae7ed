import { type Static, type TObject } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Variables whose value an error message never repeats: it would land in logs and terminals. */
const SECRET_NAME = /SECRET|KEY|PASSWORD|TOKEN|URL/i;

/**
 * Parses environment variables against a TypeBox schema once: defaults applied, numbers and
 * booleans converted, unknown variables ignored. Throws ConfigError listing every bad variable.
 */
export function loadConfig<T extends TObject>(
  schema: T,
  env: Record<string, string | undefined> = process.env,
): Static<T> {
  const known = Object.fromEntries(
    Object.keys(schema.properties)
      .filter((name) => env[name] !== undefined && env[name] !== '')
      .map((name) => [name, env[name]]),
  );
  const candidate = Value.Default(schema, Value.Convert(schema, known));
  const problems = [...Value.Errors(schema, candidate)].map((error) => {
    const name = error.path.replace(/^\//, '') || '(root)';
    const given = env[name];
    const shown =
      given === undefined || SECRET_NAME.test(name) ? '' : ` (got "${given.slice(0, 40)}")`;
    return `${name} ${error.message.toLowerCase()}${shown}`;
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return candidate as Static<T>;
}

export function formatConfigError(service: string, error: ConfigError): string {
  return `${service}: ${error.message}`;
}
