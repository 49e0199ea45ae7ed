import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RoleName, mintToken } from '@switchboard/auth';
import { SwitchboardClient, type WebSocketConstructor } from '@switchboard/client';
import { type RedisServer, startRedis } from '@switchboard/test-redis';
import { WebSocket } from 'ws';
import { createLogTail } from '../src/log-tail.js';
import { type RunningStack, listenPort, startStack } from '../src/index.js';
import { stackLogs } from '../test-support/stack-logs.js';

interface ApiResponse<T = unknown> {
  status: number;
  body: {
    success: boolean;
    data?: T;
    error?: { code: string; message: string; details?: Record<string, unknown> };
  };
}

export interface E2EStack {
  stack: RunningStack;
  redis: RedisServer;
  keyPrefix: string;
  /** The stack's JWT secret (tokens with claims `token()` does not set). */
  secret: string;
  lb: string;
  ws: string;
  token(sub: string, dealershipId: string, role?: RoleName): string;
  /** A JSON request through HAProxy. */
  api<T = unknown>(
    method: string,
    path: string,
    token: string,
    body?: unknown,
  ): Promise<ApiResponse<T>>;
  /** A @switchboard/client connected through HAProxy (Node 20: the `ws` package). */
  client(token: string): SwitchboardClient;
  close(): Promise<void>;
}

/** The real topology on free ports, a private Redis and a unique key prefix, for one e2e file. */
export async function startE2EStack(extraEnv: Record<string, string> = {}): Promise<E2EStack> {
  const redis = await startRedis();
  const stateDir = mkdtempSync(join(tmpdir(), 'switchboard-e2e-'));
  const secret = randomBytes(24).toString('base64url');
  const keyPrefix = `e2e-${randomBytes(4).toString('hex')}:`;
  const clients: SwitchboardClient[] = [];
  const logTail = createLogTail();
  stackLogs.set(`e2e stack ${keyPrefix}`, logTail);
  let stack: RunningStack;
  try {
    stack = await startStack({
      stateDir,
      log: process.env['E2E_STACK_LOGS'] ? undefined : logTail.push,
      env: {
        ...process.env,
        REDIS_URL: redis.url,
        KEY_PREFIX: keyPrefix,
        JWT_SECRET: secret,
        LOG_LEVEL: 'warn',
        HAPROXY_PORT: String(await listenPort()),
        HAPROXY_STATS_PORT: String(await listenPort()),
        PROMETHEUS_PORT: String(await listenPort()),
        GATEWAY_BASE_PORT: '0',
        SANDBOX_BASE_PORT: '0',
        SANDBOX_WORKER_BASE_PORT: '0',
        FLAG_BASE_PORT: '0',
        STACK_PROMETHEUS: 'false',
        STACK_READY_TIMEOUT_SEC: '90',
        ...extraEnv,
      },
    });
  } catch (error) {
    await redis.cleanup();
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
  const lb = stack.urls.lb;
  return {
    stack,
    redis,
    keyPrefix,
    secret,
    lb,
    ws: stack.urls.ws,
    token: (sub, dealershipId, role = 'user') =>
      mintToken({ sub, dealershipId, role, ttl: '1h' }, { secret }),
    async api<T>(
      method: string,
      path: string,
      token: string,
      body?: unknown,
    ): Promise<ApiResponse<T>> {
      const response = await fetch(`${lb}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as ApiResponse<T>['body'] };
    },
    client(token: string) {
      const client = new SwitchboardClient({
        url: stack.urls.ws,
        token,
        WebSocket: WebSocket as unknown as WebSocketConstructor,
      });
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) client.close();
      await stack.stop();
      await redis.cleanup();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
