import { mintToken, type RoleName, type ServiceScopeName } from '@switchboard/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, TEST_SECRET, startGateway, useRedis } from './helper.js';

const redis = useRedis();

type Caller = { role: RoleName; dealershipId: string; scope?: ServiceScopeName[] };
const ALL: ServiceScopeName[] = ['publish', 'history', 'presence', 'disconnect'];

const callers: Record<string, Caller> = {
  admin: { role: 'admin', dealershipId: 'A' },
  user: { role: 'user', dealershipId: 'A' },
  agent: { role: 'agent', dealershipId: 'A' },
  'service A (all scopes)': { role: 'service', dealershipId: 'A', scope: ALL },
  'service A (publish)': { role: 'service', dealershipId: 'A', scope: ['publish'] },
  'service A (history, presence)': {
    role: 'service',
    dealershipId: 'A',
    scope: ['history', 'presence'],
  },
  'service * (all scopes)': { role: 'service', dealershipId: '*', scope: ALL },
  'service B (all scopes)': { role: 'service', dealershipId: 'B', scope: ALL },
};

const project = { room: 'project:1', event: 'project.updated', data: { projectId: '1' } };
type Operation = { method: 'GET' | 'POST'; url: string; payload?: object };
/** Every operation addresses dealership A's copy of a room (or A's users) where it names one. */
const operations: Record<string, Operation> = {
  'publish A project': {
    method: 'POST',
    url: '/api/realtime/publish',
    payload: { ...project, dealershipId: 'A' },
  },
  'publish global': {
    method: 'POST',
    url: '/api/realtime/publish',
    payload: { ...project, room: 'global' },
  },
  'publish A dealership room': {
    method: 'POST',
    url: '/api/realtime/publish',
    payload: { ...project, room: 'dealership:A', dealershipId: 'A' },
  },
  broadcast: {
    method: 'POST',
    url: '/api/realtime/broadcast',
    payload: {
      rooms: ['project:1'],
      event: 'project.updated',
      data: { projectId: '1' },
      dealershipId: 'A',
    },
  },
  history: { method: 'GET', url: '/api/realtime/rooms/project:1/history?dealershipId=A' },
  presence: { method: 'GET', url: '/api/realtime/rooms/project:1/presence?dealershipId=A' },
  'user room presence of another user': {
    method: 'GET',
    url: '/api/realtime/rooms/user:someone/presence?dealershipId=A',
  },
  'list rooms': { method: 'GET', url: '/api/realtime/rooms?dealershipId=A' },
  disconnect: {
    method: 'POST',
    url: '/api/realtime/disconnect',
    payload: { userId: 'nobody', reconnect: false, dealershipId: 'A' },
  },
  stats: { method: 'GET', url: '/api/v1/websocket/stats' },
};

// Expected status per caller, in the order of `operations`.
const expected: Record<string, number[]> = {
  //                                   pubA glob dlrA bcst hist pres usrP list disc stats
  admin: /*                          */ [200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  user: /*                           */ [403, 403, 403, 403, 200, 200, 403, 403, 403, 403],
  agent: /*                          */ [403, 403, 403, 403, 200, 200, 403, 403, 403, 403],
  'service A (all scopes)': /*       */ [200, 403, 200, 200, 200, 200, 200, 200, 200, 200],
  'service A (publish)': /*          */ [200, 403, 200, 200, 403, 403, 403, 403, 403, 200],
  'service A (history, presence)': /**/ [403, 403, 403, 403, 200, 200, 200, 200, 403, 200],
  'service * (all scopes)': /*       */ [200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  'service B (all scopes)': /*       */ [403, 403, 403, 200, 403, 403, 403, 403, 403, 200],
};

describe('server API: every role, scope and tenant', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startGateway(redis.server.url, { instanceId: 'acl' });
  });
  afterAll(async () => gateway?.close());

  const rows = Object.entries(callers).flatMap(([callerName, caller]) =>
    Object.entries(operations).map(
      ([operationName, operation], index) =>
        [callerName, operationName, caller, operation, expected[callerName]![index]!] as const,
    ),
  );

  it.each(rows)('%s → %s', async (callerName, _operationName, caller, operation, status) => {
    const token = mintToken(
      { sub: `caller-${callerName.replace(/\W+/g, '-')}`, ...caller, ttl: '1h' },
      { secret: TEST_SECRET },
    );
    const res = await gateway.app.inject({
      method: operation.method,
      url: operation.url,
      headers: { authorization: `Bearer ${token}` },
      ...(operation.payload ? { payload: operation.payload } : {}),
    });
    expect(res.statusCode, res.body).toBe(status);
    if (status !== 200)
      expect(res.json()).toMatchObject({ success: false, error: { code: 'FORBIDDEN' } });
  });

  it('documents the server API in the OpenAPI document at /docs', async () => {
    const paths = Object.keys((await gateway.app.inject('/docs/json')).json().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/realtime/publish',
        '/api/realtime/broadcast',
        '/api/realtime/rooms/{room}/history',
        '/api/realtime/rooms/{room}/presence',
        '/api/realtime/rooms/{room}/presence/stats',
        '/api/realtime/rooms',
        '/api/realtime/disconnect',
        '/api/v1/websocket/stats',
        '/api/realtime/webhooks/github/{dealershipId}',
      ]),
    );
  });

  it('a broadcast of a service token of B into A reports every room as refused', async () => {
    const token = mintToken(
      { sub: 'b-svc', dealershipId: 'B', role: 'service', scope: ['publish'] },
      { secret: TEST_SECRET },
    );
    const res = await gateway.app.inject({
      method: 'POST',
      url: '/api/realtime/broadcast',
      headers: { authorization: `Bearer ${token}` },
      payload: { ...operations.broadcast!.payload },
    });
    expect(res.json().data).toMatchObject({ published: 0, failed: 1 });
  });
});
