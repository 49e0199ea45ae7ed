import { type Static, Type } from '@sinclair/typebox';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The variables every service reads (SPEC.md, Configuration). Apps extend it with their own. */
export const BaseEnv = Type.Object({
  REDIS_URL: Type.String({ default: 'redis://127.0.0.1:6379', pattern: '^(redis|rediss|redis\\+cluster)://' }),
  JWT_SECRET: Type.Optional(Type.String({ minLength: 16 })),
  JWT_PUBLIC_KEY: Type.Optional(Type.String({ minLength: 1 })),
  HOST: Type.String({ default: '0.0.0.0' }),
  LOG_LEVEL: Type.Union(LOG_LEVELS.map((level) => Type.Literal(level)), { default: 'info' }),
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(Type.String({ minLength: 1 })),
  KEY_PREFIX: Type.String({ default: '' }),
});

export type BaseConfig = Static<typeof BaseEnv>;
