import type { BenchContext } from './bench-context.js';
import type { FanoutTarget } from './fanout-target.js';
import { probeEnv } from '../proc/probe.js';
import { startWorker } from '../proc/worker-handle.js';

type Listening = { type: 'listening'; port: number };
const isListening = (m: { type: string }): m is Listening => m.type === 'listening';

/** Starts a server script from ../servers in its own process and waits for its port. */
async function startListening(script: string, env: Record<string, string>) {
  const worker = startWorker<never, { type: string }>(
    new URL(`../servers/${script}`, import.meta.url),
    { ...probeEnv(), ...env },
  );
  const { port } = await worker.request(undefined, isListening, 15_000);
  return { worker, port };
}

/** The raw `ws` broadcast server: one process, no Redis (the single-process limit). */
export async function startWsRawTarget(): Promise<FanoutTarget> {
  const { worker, port } = await startListening('ws-raw-server.js', {});
  const url = `ws://127.0.0.1:${port}`;
  return {
    name: 'ws-raw (1 process, no Redis)',
    clientKind: 'ws-raw',
    endpoints: [url],
    publisherKind: 'ws-raw',
    publisherTarget: url,
    serverPids: [worker.child.pid],
    stop: () => worker.child.kill(),
  };
}

/** Socket.IO 4 + @socket.io/redis-adapter, `instances` processes on the run's private Redis. */
export async function startSocketIoTarget(ctx: BenchContext, instances = 3): Promise<FanoutTarget> {
  const servers = await Promise.all(
    Array.from({ length: instances }, () =>
      startListening('socketio-server.js', { REDIS_URL: ctx.redis.url }),
    ),
  );
  return {
    name: `socket.io + redis-adapter (${instances} instances)`,
    clientKind: 'socketio',
    endpoints: servers.map((s) => `http://127.0.0.1:${s.port}`),
    publisherKind: 'socketio',
    publisherTarget: ctx.redis.url,
    serverPids: servers.map((s) => s.worker.child.pid),
    stop: async () => {
      await Promise.all(servers.map((s) => s.worker.child.kill()));
    },
  };
}

/** The bare-Fastify HTTP peers (servers/fastify-peer-server.ts) on the run's Redis with `secret`. */
export async function startFastifyPeer(ctx: BenchContext, secret: string) {
  const { worker, port } = await startListening('fastify-peer-server.js', {
    REDIS_URL: ctx.redis.url,
    JWT_SECRET: secret,
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    pid: worker.child.pid,
    stop: () => worker.child.kill(),
  };
}
