import type { BaseConfig } from '@switchboard/config';

/** The HTTP-edge settings every service reads from its environment (docs/operations.md). */
export interface HttpOptions {
  /** proxy-addr list of peers whose X-Forwarded-For is believed; see TRUSTED_PROXIES. */
  trustProxy?: string;
  maxParamLength?: number;
  jsonMaxDepth?: number;
  /** Browser origins CORS allows; empty = none. */
  corsOrigins?: string[];
}

const list = (value: string) =>
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);

export function httpOptionsFrom(
  config: Pick<
    BaseConfig,
    'TRUSTED_PROXIES' | 'CORS_ORIGINS' | 'MAX_PARAM_LENGTH' | 'JSON_MAX_DEPTH'
  >,
): HttpOptions {
  return {
    trustProxy: list(config.TRUSTED_PROXIES).join(','),
    maxParamLength: config.MAX_PARAM_LENGTH,
    jsonMaxDepth: config.JSON_MAX_DEPTH,
    corsOrigins: list(config.CORS_ORIGINS),
  };
}
