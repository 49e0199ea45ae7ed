import { createKeyspace } from '@switchboard/keyspace';
import { createVerifier } from 'fast-jwt';
import Fastify, { type FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';

/**
 * The HTTP peers: bare Fastify doing only what a Switchboard route cannot skip, so the services'
 * figures have a same-run yardstick. Both routes verify the bearer JWT exactly as
 * packages/auth does (HS256, the same required claims, no cache), then
 *   POST /ofrep/v1/evaluate/flags/:key  answer a constant evaluation (the OFREP peer);
 *   GET  /api/sandbox/:id/status        read the sandbox's metadata hash once (the status peer).
 * No rate limit, hooks, schemas, metrics or tracing.
 */
const secret = process.env.JWT_SECRET;
const redisUrl = process.env.REDIS_URL;
if (!secret || !redisUrl) throw new Error('JWT_SECRET and REDIS_URL are required');
const verify = createVerifier({
  key: secret,
  algorithms: ['HS256'],
  clockTolerance: 30_000,
  requiredClaims: ['sub', 'exp', 'dealershipId', 'role'],
});
const redis = new Redis(redisUrl);
const keyspace = createKeyspace('');
const app = Fastify({ logger: false });

function principal(request: FastifyRequest): { dealershipId: string } | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (!match) return undefined;
  try {
    return verify(match[1]!) as { dealershipId: string };
  } catch {
    return undefined;
  }
}

const CONSTANT = { key: 'bench.rollout', value: true, variant: 'on', reason: 'STATIC' };

app.post<{ Params: { key: string } }>('/ofrep/v1/evaluate/flags/:key', async (request, reply) => {
  if (!principal(request)) return reply.status(401).send({ success: false });
  return { ...CONSTANT, key: request.params.key };
});

app.get<{ Params: { id: string } }>('/api/sandbox/:id/status', async (request, reply) => {
  const caller = principal(request);
  if (!caller) return reply.status(401).send({ success: false });
  const record = await redis.hgetall(keyspace.sandbox.metadata(request.params.id));
  return { success: true, data: { id: request.params.id, state: record['state'] ?? 'active' } };
});

const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.send?.({ type: 'listening', port: Number(new URL(address).port) });
process.on('disconnect', () => {
  redis.disconnect();
  process.exit(0);
});
