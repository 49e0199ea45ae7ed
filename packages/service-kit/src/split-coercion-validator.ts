import { AjvCompiler, type BuildCompilerFromPool } from '@fastify/ajv-compiler';

type RouteDefinition = { httpPart?: string };
type RouteValidatorCompiler = (route: RouteDefinition) => unknown;

const shared = { allErrors: true, removeAdditional: false, useDefaults: true } as const;

/**
 * Query strings, params and headers arrive as text, so they are coerced to the schema's types;
 * JSON bodies already carry types, so `{"name": 42}` for a string field is a 400, not "42".
 * (Fastify's default coerces everywhere, which hides client bugs and makes wrong types pass.)
 */
export function splitCoercionValidator(): BuildCompilerFromPool {
  const fromPool = AjvCompiler();
  const build = (
    externalSchemas: Parameters<BuildCompilerFromPool>[0],
    serverOptions: Parameters<BuildCompilerFromPool>[1],
  ) => {
    const plugins = serverOptions?.plugins ?? [];
    const strict = fromPool(externalSchemas, {
      customOptions: { ...shared, coerceTypes: false },
      plugins,
    }) as unknown as RouteValidatorCompiler;
    const coercing = fromPool(externalSchemas, {
      customOptions: { ...shared, coerceTypes: 'array' },
      plugins,
    }) as unknown as RouteValidatorCompiler;
    return (route: RouteDefinition) =>
      route.httpPart === 'body' ? strict(route) : coercing(route);
  };
  // Fastify calls the returned function once per route part with a route definition, which the
  // published type of BuildCompilerFromPool does not express.
  return build as unknown as BuildCompilerFromPool;
}
