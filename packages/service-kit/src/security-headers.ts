import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Helmet options merged over the app's on this route (a browser app needs its own content
     * security policy); false sends no security headers.
     */
    helmet?: HelmetOptions | false;
  }
}

export type HeaderList = ReadonlyArray<readonly [name: string, value: string]>;

/**
 * The headers helmet sets with these options, taken once by running its middleware against a
 * stand-in response. Every policy Switchboard configures is static (no directive computed per
 * request), so a request only copies the list instead of building helmet's middleware again, as
 * @fastify/helmet does on every request.
 */
export function helmetHeaders(options: HelmetOptions): HeaderList {
  const headers: Array<[string, string]> = [];
  const response = {
    setHeader: (name: string, value: unknown) => headers.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  let finished = false;
  helmet(options)(
    {} as IncomingMessage,
    response as unknown as ServerResponse,
    (error?: unknown) => {
      if (error) throw error instanceof Error ? error : new Error(String(error));
      finished = true;
    },
  );
  if (!finished) throw new Error('helmet did not finish synchronously');
  return headers;
}
