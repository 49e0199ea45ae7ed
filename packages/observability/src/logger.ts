import type { LoggerOptions } from 'pino';

export interface LoggerSettings {
  service: string;
  level: string;
  instanceId?: string;
}

/** A URL as logged: a `?token=` (WebSocket upgrades carry the JWT there) is redacted. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|access_token)=)[^&#]*/gi, '$1[redacted]');
}

interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** pino options every service uses: service name on each line, secrets redacted. */
export function loggerOptions(settings: LoggerSettings): LoggerOptions {
  return {
    level: settings.level,
    base: {
      service: settings.service,
      ...(settings.instanceId ? { instanceId: settings.instanceId } : {}),
    },
    redact: {
      paths: ['req.headers.authorization', 'req.query.token', '*.token', '*.secret'],
      censor: '[redacted]',
    },
    // Fastify's request line logs the whole URL; the query token must not reach the logs.
    serializers: {
      req: (request: LoggedRequest) => ({
        method: request.method,
        url: redactUrl(request.url),
        host: request.host,
        remoteAddress: request.ip,
        remotePort: request.socket?.remotePort,
      }),
    },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
  };
}
