import { type Static, Type } from '@sinclair/typebox';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The variables every service reads (SPEC.md, Configuration). Apps extend it with their own. */
export const BaseEnv = Type.Object({
  REDIS_URL: Type.String({
    default: 'redis://127.0.0.1:6379',
    pattern: '^(redis|rediss|redis\\+cluster)://',
  }),
  JWT_SECRET: Type.Optional(Type.String({ minLength: 16 })),
  JWT_PUBLIC_KEY: Type.Optional(Type.String({ minLength: 1 })),
  HOST: Type.String({ default: '0.0.0.0' }),
  LOG_LEVEL: Type.Union(
    LOG_LEVELS.map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(Type.String({ minLength: 1 })),
  /**
   * Put before every Redis key, channel and queue name, so several stacks share one Redis.
   * No `{`/`}` (a brace would become the keys' Cluster hash tag) and no spaces or control characters.
   */
  KEY_PREFIX: Type.String({ default: '', maxLength: 64, pattern: '^[A-Za-z0-9_.:-]*$' }),
  /**
   * Peers whose X-Forwarded-For is believed (IPs, CIDRs, or `loopback`/`linklocal`/`uniquelocal`),
   * comma-separated. Anyone else's X-Forwarded-For is ignored, so per-IP limits cannot be dodged
   * by a forged header. Default: loopback, where the dev stack's HAProxy runs.
   */
  TRUSTED_PROXIES: Type.String({ default: 'loopback', pattern: '^[0-9A-Za-z:./, ]*$' }),
  /** Browser origins allowed by CORS, comma-separated (`https://console.example.com`); none by default. */
  CORS_ORIGINS: Type.String({ default: '' }),
  /** Longest URL path parameter (ids, flag keys) the router accepts; longer answers 414. */
  MAX_PARAM_LENGTH: Type.Integer({ default: 512, minimum: 128, maximum: 4096 }),
  /** Deepest nesting of arrays/objects a JSON body may have; deeper answers 400. */
  JSON_MAX_DEPTH: Type.Integer({ default: 64, minimum: 2, maximum: 512 }),
});

export type BaseConfig = Static<typeof BaseEnv>;
