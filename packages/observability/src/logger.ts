import type { LoggerOptions } from 'pino';

export interface LoggerSettings {
  service: string;
  level: string;
  instanceId?: string;
}

/** pino options every service uses: service name on each line, secrets redacted. */
export function loggerOptions(settings: LoggerSettings): LoggerOptions {
  return {
    level: settings.level,
    base: { service: settings.service, ...(settings.instanceId ? { instanceId: settings.instanceId } : {}) },
    redact: { paths: ['req.headers.authorization', 'req.query.token', '*.token', '*.secret'], censor: '[redacted]' },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
  };
}
