import { fileURLToPath } from 'node:url';
import type { RoleName } from '@switchboard/auth';
import { createKeyspace } from '@switchboard/keyspace';
import type { TypedFastify } from '@switchboard/service-kit';
import { type ServiceProcess, spawnService } from '@switchboard/test-kit';
import { type RedisServer, startRedis, waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll } from 'vitest';
import WebSocket from 'ws';
import { buildApp } from '../src/app.js';
import type { SandboxRuntimeSettings } from '../src/config.js';
import { type SandboxWorker, startWorker } from '../src/workers/index.js';
import { TEST_SECRET, caller, tokenFor } from './helper.js';

const gatewayEntry = fileURLToPath(
  new URL('../../realtime-gateway/dist/server.js', import.meta.url),
);
const keyspace = createKeyspace('');

export interface AgentSocket {
  agentId: string;
  /** Every event frame of its agent room, in arrival order. */
  events: Array<{ event: string; data: { task: { id: string; state: string } } }>;
  /** Also listens to another room; resolves with that room's event frames (filled as they come). */
  join(room: string): Promise<{ events: Array<{ event: string; data: Record<string, unknown> }> }>;
  close(): void;
}

export interface TaskStack {
  redis: RedisServer;
  app: TypedFastify;
  worker: SandboxWorker | undefined;
  gateway: ServiceProcess;
  as(sub: string, dealershipId: string, role?: RoleName): ReturnType<typeof caller>;
  /** A WebSocket connection of an agent on the real gateway, subscribed to its room. */
  connect(agentId: string, dealershipId: string): Promise<AgentSocket>;
  /** Registers an agent (PUT /api/agents) as itself. */
  register(
    agentId: string,
    dealershipId: string,
    capabilities: string[],
    maxConcurrent?: number,
  ): Promise<void>;
}

/**
 * Redis, the sandbox API in this process, a worker in this process (task timers and the
 * assignment sweep) unless `worker: false`, and a real gateway process for agent presence.
 */
export function useTaskStack(
  options: { settings?: Partial<SandboxRuntimeSettings>; worker?: boolean } = {},
): TaskStack {
  const stack = {} as TaskStack;
  const sockets: WebSocket[] = [];
  beforeAll(async () => {
    stack.redis = await startRedis();
    const settings = { OUTBOX_SWEEP_EVERY_MS: 200, ...options.settings };
    stack.gateway = await spawnService(
      gatewayEntry,
      { REDIS_URL: stack.redis.url, JWT_SECRET: TEST_SECRET, INSTANCE_ID: 'tasks-gw' },
      { readyPath: '/health/websocket' },
    );
    stack.app = await buildApp({
      redisUrl: stack.redis.url,
      keyspace,
      auth: { secret: TEST_SECRET },
      logLevel: 'silent',
      settings,
      // Load (100 concurrent creates) is the subject here, not the service's self-protection.
      protection: {
        HTTP_RATE_LIMIT_WRITE_MAX: 1_000_000,
        HTTP_RATE_LIMIT_READ_MAX: 1_000_000,
        HTTP_RATE_LIMIT_IP_MAX: 1_000_000,
        PRESSURE_MAX_EVENT_LOOP_DELAY_MS: 60_000,
        REDIS_COMMAND_TIMEOUT_MS: 10_000,
      },
    });
    await stack.app.ready();
    stack.worker =
      options.worker === false
        ? undefined
        : await startWorker({ redisUrl: stack.redis.url, keyspace, settings });
    stack.as = (sub, dealershipId, role = 'user') => caller(stack.app, sub, dealershipId, role);
    stack.register = async (agentId, dealershipId, capabilities, maxConcurrent = 1) => {
      const res = await stack
        .as(agentId, dealershipId, 'agent')
        .put(`/api/agents/${agentId}`, { capabilities, maxConcurrent });
      if (res.statusCode >= 300) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
    };
    stack.connect = async (agentId, dealershipId) => {
      const token = tokenFor(agentId, dealershipId, 'agent');
      const socket = new WebSocket(`ws://127.0.0.1:${stack.gateway.port}/ws?token=${token}`);
      sockets.push(socket);
      const events: AgentSocket['events'] = [];
      const others = new Map<string, Array<{ event: string; data: Record<string, unknown> }>>();
      const joined = new Set<string>();
      let subscribed = false;
      const room = `agent:${agentId}`;
      socket.on('message', (raw) => {
        const frame = JSON.parse(String(raw)) as {
          type: string;
          room?: string;
          event?: string;
          data?: AgentSocket['events'][number]['data'];
        };
        if (frame.type === 'connection.established')
          socket.send(JSON.stringify({ type: 'subscribe', room }));
        if (frame.type === 'subscribed' && frame.room === room) subscribed = true;
        if (frame.type === 'subscribed' && frame.room) joined.add(frame.room);
        if (frame.type === 'event' && frame.room === room)
          events.push({ event: frame.event!, data: frame.data! });
        if (frame.type === 'event' && frame.room && others.has(frame.room))
          others.get(frame.room)!.push({ event: frame.event!, data: frame.data! as never });
      });
      await waitFor(() => subscribed, { message: `${agentId} subscribed`, timeoutMs: 10_000 });
      return {
        agentId,
        events,
        join: async (other: string) => {
          others.set(other, []);
          socket.send(JSON.stringify({ type: 'subscribe', room: other }));
          await waitFor(() => joined.has(other), { message: `joined ${other}` });
          return { events: others.get(other)! };
        },
        close: () => socket.close(),
      };
    };
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await stack.worker?.close();
    await stack.app?.close();
    await stack.gateway?.stop();
    await stack.redis?.cleanup();
  });
  return stack;
}

export { waitFor };
