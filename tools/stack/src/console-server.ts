import { createReadStream, existsSync, statSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

/** The console's URL prefix behind HAProxy (apps/console builds with this base). */
export const CONSOLE_PATH = '/console';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

export interface ConsoleServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const envelope = (code: string, message: string) =>
  JSON.stringify({ success: false, error: { code, message, details: {} } });

/**
 * Serves apps/console/dist under /console (any path without a file extension gets index.html,
 * so client-side routes survive a reload) and /health/ready for HAProxy's check. The console
 * is static: every API call it makes goes back through HAProxy to the services.
 */
export function startConsoleServer(options: {
  distDir: string;
  host: string;
  port: number;
}): Promise<ConsoleServer> {
  const root = resolve(options.distDir);
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    if (path === '/health/ready' || path === '/health/live') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"status":"ok"}');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { 'content-type': 'application/json', allow: 'GET, HEAD' });
      response.end(envelope('VALIDATION_ERROR', 'The console only answers GET'));
      return;
    }
    if (path !== CONSOLE_PATH && !path.startsWith(`${CONSOLE_PATH}/`)) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(envelope('RECORD_NOT_FOUND', 'Route not found'));
      return;
    }
    if (!existsSync(join(root, 'index.html'))) {
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end(
        envelope(
          'SERVICE_UNAVAILABLE',
          'The console is not built: pnpm --filter @switchboard/console build',
        ),
      );
      return;
    }
    const relative = path.slice(CONSOLE_PATH.length).replace(/^\/+/, '');
    const candidate = resolve(root, relative);
    const inside = candidate === root || candidate.startsWith(root + sep);
    const isFile = inside && existsSync(candidate) && statSync(candidate).isFile();
    if (!isFile && extname(relative) !== '') {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(envelope('RECORD_NOT_FOUND', 'No such console file'));
      return;
    }
    const file = isFile ? candidate : join(root, 'index.html');
    const hashed = file.includes(`${sep}assets${sep}`);
    response.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      // Asset names carry a content hash; index.html must be re-read to find new ones.
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    if (request.method === 'HEAD') response.end();
    else createReadStream(file).pipe(response);
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      resolvePromise({
        url: `http://${options.host}:${port}`,
        port,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
