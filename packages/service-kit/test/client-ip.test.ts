import { afterEach, describe, expect, it } from 'vitest';
import { type TypedFastify, createFastify } from '../src/index.js';

let app: TypedFastify | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** request.ip and clientIpOf(request.raw) for one request from 127.0.0.1 with X-Forwarded-For. */
async function addresses(trustProxy: boolean | string | undefined, forwardedFor: string) {
  app = createFastify({
    service: 'kit',
    logLevel: 'silent',
    ...(trustProxy === undefined ? {} : { trustProxy }),
  });
  const server = app;
  server.get('/ip', async (request) => ({
    ip: request.ip,
    raw: server.clientIpOf(request.raw),
  }));
  const res = await server.inject({
    url: '/ip',
    remoteAddress: '127.0.0.1',
    headers: { 'x-forwarded-for': forwardedFor },
  });
  await server.close();
  app = undefined;
  return res.json() as { ip: string; raw: string };
}

describe('clientIpOf', () => {
  it.each([
    ['the default (loopback)', undefined, '10.0.0.5'],
    ['a trusted proxy list', '127.0.0.1, 10.0.0.0/8', '203.0.113.9'],
    ['a list without the peer', '10.9.9.9', '127.0.0.1'],
    ['no proxy (empty list)', '', '127.0.0.1'],
    ['no proxy (false)', false, '127.0.0.1'],
    ['every proxy (true)', true, '203.0.113.9'],
  ])('gives a raw request the address request.ip gives with %s', async (_name, trust, expected) => {
    const { ip, raw } = await addresses(trust, '203.0.113.9, 10.0.0.5');
    expect(ip).toBe(expected);
    expect(raw).toBe(ip);
  });
});
