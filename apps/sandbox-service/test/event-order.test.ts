import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mintToken } from '@switchboard/auth';
import { type ServiceProcess, spawnService } from '@switchboard/test-kit';
import { type RedisServer, startRedis, waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_CGROUP_PARENT, removeTestCgroups } from './isolation.js';
import WebSocket from 'ws';

// Every service as built (`pnpm --filter @switchboard/sandbox-service build` builds the gateway
// too): two sandbox APIs and two gateways on one Redis, as deployed behind the load balancer.
const sandboxEntry = fileURLToPath(new URL('../dist/server.js', import.meta.url));
const gatewayEntry = fileURLToPath(
  new URL('../../realtime-gateway/dist/server.js', import.meta.url),
);
const secret = 'event-order-test-secret';
const ROUNDS = 20;
const CALLS_PER_ROUND = 50;

interface Transition {
  from: string;
  to: string;
}

/** A WebSocket client of one gateway, keeping each room's transitions in arrival order. */
async function watch(gatewayPort: number, token: string) {
  const socket = new WebSocket(`ws://127.0.0.1:${gatewayPort}/ws?token=${token}`);
  const seen = new Map<string, Transition[]>();
  socket.on('message', (raw) => {
    const frame = JSON.parse(String(raw)) as {
      type: string;
      room?: string;
      event?: string;
      data?: { from?: string; state?: string };
    };
    if (frame.type === 'subscribed') seen.set(frame.room!, []);
    if (frame.type === 'event' && frame.event !== 'sandbox.created')
      seen.get(frame.room!)?.push({ from: frame.data!.from!, to: frame.data!.state! });
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return {
    seen: (room: string) => seen.get(room) ?? [],
    subscribe: async (room: string) => {
      socket.send(JSON.stringify({ type: 'subscribe', room }));
      await waitFor(() => seen.has(room), { message: `subscribed to ${room}` });
    },
    close: () => socket.close(),
  };
}

describe('events agree with history: concurrent pause/resume across two APIs, watched through two gateways', () => {
  let redis: RedisServer;
  const services: ServiceProcess[] = [];
  const root = mkdtempSync(join(tmpdir(), 'switchboard-event-order-'));
  const token = mintToken({ sub: 'alice', dealershipId: 'd1', role: 'user' }, { secret });

  beforeAll(async () => {
    redis = await startRedis();
    // One caller sends 1 000 writes in seconds here: the per-principal write limit is not under test.
    const env = {
      REDIS_URL: redis.url,
      JWT_SECRET: secret,
      HTTP_RATE_LIMIT_WRITE_MAX: '100000',
      HTTP_RATE_LIMIT_IP_MAX: '100000',
    };
    services.push(
      ...(await Promise.all([
        spawnService(sandboxEntry, {
          ...env,
          SANDBOX_ROOT: root,
          SANDBOX_CGROUP_PARENT: TEST_CGROUP_PARENT,
        }),
        spawnService(sandboxEntry, {
          ...env,
          SANDBOX_ROOT: root,
          SANDBOX_CGROUP_PARENT: TEST_CGROUP_PARENT,
        }),
        spawnService(
          gatewayEntry,
          { ...env, INSTANCE_ID: 'order-1' },
          { readyPath: '/health/websocket' },
        ),
        spawnService(
          gatewayEntry,
          { ...env, INSTANCE_ID: 'order-2' },
          { readyPath: '/health/websocket' },
        ),
      ])),
    );
  }, 60_000);
  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop('SIGKILL')));
    await redis?.cleanup();
    rmSync(root, { recursive: true, force: true });
    await removeTestCgroups();
  });

  const call = async (api: ServiceProcess, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${api.http}/api/sandbox${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return {
      status: res.status,
      body: (await res.json()) as {
        data?: Record<string, unknown> & {
          state?: string;
          items?: Array<Transition & { action: string; seq: number }>;
        };
      },
    };
  };

  it(`has 0 disagreements between history, the events two clients saw and the final state, in ${ROUNDS} rounds of ${CALLS_PER_ROUND} concurrent calls`, async () => {
    const [apiA, apiB, gatewayA, gatewayB] = services as [
      ServiceProcess,
      ServiceProcess,
      ServiceProcess,
      ServiceProcess,
    ];
    const clients = [await watch(gatewayA.port, token), await watch(gatewayB.port, token)];
    const disagreements: string[] = [];
    let total = 0;
    for (let round = 1; round <= ROUNDS; round += 1) {
      const id = (await call(round % 2 ? apiA : apiB, 'POST', '', { name: `contended ${round}` }))
        .body.data!['id'] as string;
      const room = `sandbox:${id}`;
      for (const client of clients) await client.subscribe(room);
      const answers = await Promise.all(
        Array.from({ length: CALLS_PER_ROUND }, (_, i) =>
          call(i % 2 === 0 ? apiA : apiB, 'POST', `/${i % 4 < 2 ? 'pause' : 'resume'}/${id}`, {}),
        ),
      );
      // A call that changed the state answers with the state its own transition produced.
      for (const [i, answer] of answers.entries()) {
        if (answer.status === 200 && answer.body.data!.state !== (i % 4 < 2 ? 'paused' : 'active'))
          disagreements.push(`round ${round}: call ${i} answered ${answer.body.data!.state}`);
      }
      const transitions = answers.filter((answer) => answer.status === 200).length;
      total += transitions;
      const history = (await call(apiA, 'GET', `/${id}/pause-history?limit=200`)).body
        .data!.items!.filter((entry) => entry.action !== 'create')
        .reverse();
      expect(history).toHaveLength(transitions);
      await waitFor(() => clients.every((client) => client.seen(room).length >= transitions), {
        timeoutMs: 10_000,
        message: `round ${round}: ${transitions} events on both clients`,
      });
      const expected = history.map(({ from, to }) => `${from}->${to}`);
      for (const [index, client] of clients.entries()) {
        const got = client.seen(room).map(({ from, to }) => `${from}->${to}`);
        const first = expected.findIndex((step, at) => got[at] !== step);
        if (first !== -1 || got.length !== expected.length)
          disagreements.push(
            `round ${round}: client ${index} saw ${got.length} events for ${expected.length} transitions, first disagreeing at #${first}: ${got[first]} where history has ${expected[first]}`,
          );
      }
      const final = (await call(apiB, 'GET', `/${id}/status`)).body.data!.state;
      if (clients.some((client) => client.seen(room).at(-1)?.to !== final))
        disagreements.push(`round ${round}: last event is not the final state ${final}`);
    }
    for (const client of clients) client.close();
    expect(disagreements).toEqual([]);
    expect(total).toBeGreaterThan(ROUNDS);
  }, 120_000);
});
