import { ConfigError, formatConfigError } from './load-config.js';

/** Runs `read`; on a ConfigError prints one clear line and exits 1 instead of a stack trace. */
export function exitOnConfigError<T>(service: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(formatConfigError(service, error));
      process.exit(1);
    }
    throw error;
  }
}
