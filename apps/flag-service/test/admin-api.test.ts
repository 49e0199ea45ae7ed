import { createRedis } from '@switchboard/redis';
import type { TypedFastify } from '@switchboard/service-kit';
import { waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, call, user } from './api.js';
import { build, tokenFor, useRedis } from './helper.js';

describe('flag admin API', () => {
  const redis = useRedis();
  let app: TypedFastify;
  beforeAll(async () => {
    app = await build(redis.server.url);
  });
  afterAll(async () => {
    await app?.close();
  });

  const create = (key: string, extra: Record<string, unknown> = {}) =>
    call(app, 'POST', '/api/flags', { key, ...extra });

  it('creates a boolean flag with defaults, version 1, ETag and Location', async () => {
    const res = await create('NEW_CHECKOUT', {
      description: 'New checkout',
      tags: ['checkout'],
      reason: 'launch prep',
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers.etag).toBe('"1"');
    expect(res.headers.location).toBe('/api/flags/NEW_CHECKOUT');
    expect(res.json().data).toMatchObject({
      key: 'NEW_CHECKOUT',
      version: 1,
      type: 'boolean',
      enabled: false,
      variants: { on: true, off: false },
      defaultVariant: 'on',
      archived: false,
      updatedBy: 'admin-1',
    });
  });

  it('refuses a duplicate key with 409', async () => {
    await create('DUP');
    const res = await create('DUP');
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({
      code: 'INVALID_STATE_TRANSITION',
      details: { key: 'DUP', reason: 'exists' },
    });
  });

  it.each([
    [
      'unknown operator',
      {
        rules: [
          { constraints: [{ attribute: 'a', operator: 'like', values: ['x'] }], variant: 'on' },
        ],
      },
      '/rules/0/constraints/0/operator',
    ],
    [
      'weights not summing to 100',
      {
        rules: [
          {
            constraints: [],
            rollout: {
              variants: [
                { variant: 'on', weight: 50 },
                { variant: 'off', weight: 40 },
              ],
            },
          },
        ],
      },
      '/rules/0/rollout/variants',
    ],
    [
      'bad regex',
      {
        rules: [
          { constraints: [{ attribute: 'a', operator: 'regex', value: '([a-z' }], variant: 'on' },
        ],
      },
      '/rules/0/constraints/0/value',
    ],
    ['unknown variant', { defaultVariant: 'nope' }, '/defaultVariant'],
    ['wrong type', { enabled: 'yes' }, '/enabled'],
    ['unknown field', { colour: 'red' }, '/'],
    ['bad key', { key: 'has spaces' }, '/key'],
    ['bad variant name', { variants: { 'bad name!': true } }, '/variants'],
  ])('answers 400 with the field for %s', async (_name, extra, path) => {
    const res = await create('INVALID_ONE', extra);
    expect(res.statusCode).toBe(400);
    const error = res.json().error;
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.details.fields.map((field: { path: string }) => field.path).join(' ')).toContain(
      path,
    );
  });

  it('answers 400 on malformed JSON and 413 on an oversized body', async () => {
    const malformed = await app.inject({
      method: 'POST',
      url: '/api/flags',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      payload: '{"key": ',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.details.reason).toBe('malformed-body');
    const huge = await app.inject({
      method: 'POST',
      url: '/api/flags',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ key: 'BIG', description: 'x'.repeat(2_000_000) }),
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('requires a valid token and the admin role', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/flags' })).statusCode).toBe(401);
    expect(
      (await call(app, 'GET', '/api/flags', undefined, { token: 'not.a.jwt' })).statusCode,
    ).toBe(401);
    const forbidden = await call(app, 'POST', '/api/flags', { key: 'X' }, { token: user });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().error.code).toBe('FORBIDDEN');
    expect(
      (
        await call(app, 'GET', '/api/flags/NEW_CHECKOUT', undefined, {
          token: tokenFor('a', 'd1', 'agent'),
        })
      ).statusCode,
    ).toBe(403);
    // Who may call is decided before the body is read: a user's invalid definition is 403, not 400.
    expect(
      (await call(app, 'POST', '/api/flags', { key: 'bad key!', rules: 'nope' }, { token: user }))
        .statusCode,
    ).toBe(403);
    const malformed = await app.inject({
      method: 'POST',
      url: '/api/flags',
      headers: { 'content-type': 'application/json' },
      payload: '{"key":',
    });
    expect(malformed.statusCode).toBe(401);
  });

  it('gets a flag, and 404s an unknown one', async () => {
    const res = await call(app, 'GET', '/api/flags/NEW_CHECKOUT');
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('"1"');
    const missing = await call(app, 'GET', '/api/flags/NOPE');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('RECORD_NOT_FOUND');
  });

  it('updates with optimistic concurrency: version in body or If-Match, 409 on a stale one', async () => {
    await create('CONC', { variants: { a: 'A', b: 'B' }, defaultVariant: 'a' });
    const first = await call(app, 'PUT', '/api/flags/CONC', {
      variants: { a: 'A', b: 'B' },
      defaultVariant: 'b',
      version: 1,
      reason: 'switch default',
    });
    expect(first.statusCode).toBe(200);
    expect(first.json().data).toMatchObject({ version: 2, defaultVariant: 'b', type: 'string' });
    const stale = await call(app, 'PUT', '/api/flags/CONC', {
      variants: { a: 'A' },
      defaultVariant: 'a',
      version: 1,
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error).toMatchObject({
      code: 'INVALID_STATE_TRANSITION',
      details: { expectedVersion: 1, currentVersion: 2 },
    });
    const staleHeader = await call(
      app,
      'PUT',
      '/api/flags/CONC',
      { variants: { a: 'A' }, defaultVariant: 'a' },
      { headers: { 'if-match': '"1"' } },
    );
    expect(staleHeader.statusCode).toBe(409);
    const viaHeader = await call(
      app,
      'PUT',
      '/api/flags/CONC',
      { variants: { a: 'A' }, defaultVariant: 'a' },
      { headers: { 'if-match': '"2"' } },
    );
    expect(viaHeader.statusCode).toBe(200);
    expect(viaHeader.json().data.version).toBe(3);
    expect(
      (
        await call(
          app,
          'PUT',
          '/api/flags/CONC',
          { variants: { a: 'A' } },
          { headers: { 'if-match': 'garbage' } },
        )
      ).statusCode,
    ).toBe(400);
    expect((await call(app, 'PUT', '/api/flags/NOPE', { variants: { a: 'A' } })).statusCode).toBe(
      404,
    );
  });

  it('lets exactly one of two concurrent writers of the same version win', async () => {
    await create('RACE');
    const results = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        call(app, 'PUT', '/api/flags/RACE', { description: `writer ${n}`, version: 1 }),
      ),
    );
    expect(results.map((res) => res.statusCode).sort()).toEqual([200, 409, 409, 409]);
  });

  it('toggles the kill switch and keeps concurrent toggles as separate versions', async () => {
    await create('TOG');
    const on = await call(app, 'POST', '/api/flags/TOG/toggle', { enabled: true, reason: 'go' });
    expect(on.json().data).toMatchObject({ enabled: true, version: 2 });
    const many = await Promise.all(
      [false, true, false].map((enabled) =>
        call(app, 'POST', '/api/flags/TOG/toggle', { enabled }),
      ),
    );
    expect(many.every((res) => res.statusCode === 200)).toBe(true);
    expect((await call(app, 'GET', '/api/flags/TOG')).json().data.version).toBe(5);
    expect(
      (await call(app, 'POST', '/api/flags/TOG/toggle', { enabled: 'maybe' })).statusCode,
    ).toBe(400);
    expect(
      (await call(app, 'POST', '/api/flags/TOG/toggle', { enabled: true, version: 1 })).statusCode,
    ).toBe(409);
    expect((await call(app, 'POST', '/api/flags/NOPE/toggle', { enabled: true })).statusCode).toBe(
      404,
    );
  });

  it('archives and unarchives; archived flags leave the default list and stop evaluating', async () => {
    await create('OLD', { enabled: true });
    const archived = await call(app, 'POST', '/api/flags/OLD/archive', { reason: 'retired' });
    expect(archived.json().data).toMatchObject({ archived: true, version: 2 });
    const keys = (await call(app, 'GET', '/api/flags'))
      .json()
      .data.items.map((flag: { key: string }) => flag.key);
    expect(keys).not.toContain('OLD');
    const archivedKeys = (await call(app, 'GET', '/api/flags?archived=true'))
      .json()
      .data.items.map((flag: { key: string }) => flag.key);
    expect(archivedKeys).toEqual(['OLD']);
    expect(
      (await call(app, 'POST', '/api/flags/OLD/evaluate', {}, { token: user })).statusCode,
    ).toBe(404);
    const back = await call(app, 'POST', '/api/flags/OLD/unarchive');
    expect(back.json().data).toMatchObject({ archived: false, version: 3 });
    expect(
      (await call(app, 'POST', '/api/flags/OLD/evaluate', {}, { token: user })).json().data,
    ).toMatchObject({ value: true });
  });

  it('lists with filters and cursor pagination', async () => {
    await create('LIST_A', { tags: ['team-x'], enabled: true, description: 'Alpha widget' });
    await create('LIST_B', { tags: ['team-x'] });
    await create('LIST_C', { tags: ['team-y'], enabled: true });
    const byTag = (await call(app, 'GET', '/api/flags?tag=team-x'))
      .json()
      .data.items.map((f: { key: string }) => f.key);
    expect(byTag).toEqual(['LIST_A', 'LIST_B']);
    const enabledX = (await call(app, 'GET', '/api/flags?tag=team-x&enabled=true'))
      .json()
      .data.items.map((f: { key: string }) => f.key);
    expect(enabledX).toEqual(['LIST_A']);
    const q = (await call(app, 'GET', '/api/flags?q=widget'))
      .json()
      .data.items.map((f: { key: string }) => f.key);
    expect(q).toEqual(['LIST_A']);
    const page1 = (await call(app, 'GET', '/api/flags?q=list_&limit=2')).json().data;
    expect(page1.items.map((f: { key: string }) => f.key)).toEqual(['LIST_A', 'LIST_B']);
    const page2 = (
      await call(app, 'GET', `/api/flags?q=list_&limit=2&cursor=${page1.nextCursor}`)
    ).json().data;
    expect(page2.items.map((f: { key: string }) => f.key)).toEqual(['LIST_C']);
    expect(page2.nextCursor).toBeUndefined();
    expect((await call(app, 'GET', '/api/flags?limit=0')).statusCode).toBe(400);
    expect((await call(app, 'GET', '/api/flags?enabled=perhaps')).statusCode).toBe(400);
  });

  it('answers every change of an existing flag alike: new version as ETag, If-Match honoured, actor and reason kept', async () => {
    await create('SAME');
    const changes: Array<[string, string, Record<string, unknown>]> = [
      ['PUT', '/api/flags/SAME', { description: 'updated' }],
      ['POST', '/api/flags/SAME/toggle', { enabled: true }],
      ['POST', '/api/flags/SAME/archive', {}],
      ['POST', '/api/flags/SAME/unarchive', {}],
      ['POST', '/api/flags/SAME/rollback', { version: 1 }],
    ];
    for (const [index, [method, url, body]] of changes.entries()) {
      const from = index + 1;
      const stale = await call(app, method as 'PUT' | 'POST', url, body, {
        headers: { 'if-match': `"${from + 5}"` },
      });
      expect(stale.statusCode, `${url} with a stale If-Match`).toBe(409);
      expect(stale.json().error).toMatchObject({
        code: 'INVALID_STATE_TRANSITION',
        details: { reason: 'version-conflict', expectedVersion: from + 5, currentVersion: from },
      });
      const res = await call(
        app,
        method as 'PUT' | 'POST',
        url,
        { ...body, reason: `step ${from}` },
        { headers: { 'if-match': `W/"${from}"` } },
      );
      expect(res.statusCode, url).toBe(200);
      expect(res.headers.etag).toBe(`"${from + 1}"`);
      expect(res.json().data).toMatchObject({ version: from + 1, updatedBy: 'admin-1' });
    }
    const versions = (await call(app, 'GET', '/api/flags/SAME/versions')).json().data
      .items as Array<{ action: string; reason?: string; actor: string }>;
    expect(versions.slice(1).map((v) => [v.action, v.reason, v.actor])).toEqual(
      ['update', 'toggle', 'archive', 'unarchive', 'rollback'].map((action, index) => [
        action,
        `step ${index + 1}`,
        'admin-1',
      ]),
    );
  });

  it('keeps immutable versions and rolls back to version N as a new, audited version', async () => {
    const rule = {
      constraints: [{ attribute: 'plan', operator: 'in', values: ['pro'] }],
      variant: 'b',
    };
    await create('RB', {
      variants: { a: 1, b: 2 },
      defaultVariant: 'a',
      enabled: true,
      rules: [rule],
      tags: ['checkout'],
      description: 'first',
    });
    await call(app, 'PUT', '/api/flags/RB', {
      variants: { a: 1, b: 2, c: 3 },
      defaultVariant: 'b',
      rules: [],
      tags: ['other'],
      description: 'second',
      reason: 'try b',
    });
    await call(app, 'POST', '/api/flags/RB/toggle', { enabled: false });
    const versions = (await call(app, 'GET', '/api/flags/RB/versions')).json().data;
    expect(versions.total).toBe(3);
    expect(
      versions.items.map((v: { version: number; action: string }) => [v.version, v.action]),
    ).toEqual([
      [1, 'create'],
      [2, 'update'],
      [3, 'toggle'],
    ]);
    expect(versions.items[1]).toMatchObject({
      actor: 'admin-1',
      reason: 'try b',
      flag: { defaultVariant: 'b', version: 2 },
    });

    const rolled = await call(app, 'POST', '/api/flags/RB/rollback', {
      version: 1,
      reason: 'b was bad',
    });
    expect(rolled.statusCode).toBe(200);
    expect(rolled.json().data).toMatchObject({
      version: 4,
      defaultVariant: 'a',
      enabled: true,
      type: 'number',
    });
    const after = (await call(app, 'GET', '/api/flags/RB/versions?offset=3&limit=5')).json().data;
    expect(after.items).toHaveLength(1);
    expect(after.items[0]).toMatchObject({
      version: 4,
      action: 'rollback',
      restoredVersion: 1,
      reason: 'b was bad',
    });
    // Version 4 is version 1's definition, whole: variants, rules, tags, description, switches.
    const definition = (flag: Record<string, unknown>) => {
      const {
        version: _v,
        createdAt: _c,
        updatedAt: _u,
        createdBy: _cb,
        updatedBy: _ub,
        ...rest
      } = flag;
      return rest;
    };
    expect(definition(after.items[0].flag)).toEqual(definition(versions.items[0].flag));
    expect(after.items[0].flag).toMatchObject({
      rules: [rule],
      tags: ['checkout'],
      description: 'first',
      variants: { a: 1, b: 2 },
    });
    // Version 2 itself is untouched by later changes.
    const again = (await call(app, 'GET', '/api/flags/RB/versions?offset=1&limit=1')).json().data
      .items[0];
    expect(again.flag).toMatchObject({ version: 2, defaultVariant: 'b', enabled: true });

    expect((await call(app, 'POST', '/api/flags/RB/rollback', { version: 99 })).statusCode).toBe(
      404,
    );
    expect((await call(app, 'POST', '/api/flags/RB/rollback', { version: 0 })).statusCode).toBe(
      400,
    );
    expect((await call(app, 'POST', '/api/flags/NOPE/rollback', { version: 1 })).statusCode).toBe(
      404,
    );
    expect((await call(app, 'GET', '/api/flags/NOPE/versions')).statusCode).toBe(404);
  });

  it('audits every change with actor, time, action, reason and a JSON diff, newest first and paginated', async () => {
    await create('AUD', { reason: 'first' });
    await call(app, 'POST', '/api/flags/AUD/toggle', { enabled: true, reason: 'turn on' });
    await call(app, 'PUT', '/api/flags/AUD', { tags: ['t1'], reason: 'tag it' });
    const page1 = (await call(app, 'GET', '/api/flags/AUD/audit?limit=2')).json().data;
    expect(page1.items.map((e: { action: string }) => e.action)).toEqual(['update', 'toggle']);
    expect(page1.items[1]).toMatchObject({
      key: 'AUD',
      version: 2,
      actor: 'admin-1',
      dealershipId: 'd-admin',
      reason: 'turn on',
      diff: [{ path: '/enabled', from: false, to: true }],
    });
    expect(Date.parse(page1.items[1].at)).toBeGreaterThan(Date.now() - 60_000);
    expect(page1.items[0].diff).toEqual([{ path: '/tags', from: [], to: ['t1'] }]);
    const page2 = (
      await call(app, 'GET', `/api/flags/AUD/audit?limit=2&cursor=${page1.nextCursor}`)
    ).json().data;
    expect(
      page2.items.map((e: { action: string; reason: string }) => [e.action, e.reason]),
    ).toEqual([['create', 'first']]);
    expect((await call(app, 'GET', '/api/flags/NOPE/audit')).statusCode).toBe(404);
    expect((await call(app, 'GET', '/api/flags/AUD/audit?cursor=abc')).statusCode).toBe(400);
  });

  it('replays a mutation with the same Idempotency-Key and rejects a different body', async () => {
    await create('IDEM');
    const headers = { 'idempotency-key': 'toggle-idem-1' };
    const first = await call(app, 'POST', '/api/flags/IDEM/toggle', { enabled: true }, { headers });
    const replay = await call(
      app,
      'POST',
      '/api/flags/IDEM/toggle',
      { enabled: true },
      { headers },
    );
    expect(replay.json()).toEqual(first.json());
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect((await call(app, 'GET', '/api/flags/IDEM')).json().data.version).toBe(2);
    const conflict = await call(
      app,
      'POST',
      '/api/flags/IDEM/toggle',
      { enabled: false },
      { headers },
    );
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error.code).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('publishes each change on the flags channel and a flag.* event to the admin room only, never to global', async () => {
    const subscriber = createRedis(redis.server.url);
    const messages: Array<[string, string]> = [];
    subscriber.on('message', (channel: string, message: string) =>
      messages.push([channel, message]),
    );
    await subscriber.subscribe('flags:changes', 'ws:broadcast', 'ws:room:admin');
    try {
      await create('PUBLISHED');
      await call(app, 'POST', '/api/flags/PUBLISHED/toggle', { enabled: true, reason: 'live' });
      await waitFor(() => messages.length >= 4, {
        message: 'two flags:changes and two ws:room:admin messages',
      });
      const changes = messages
        .filter(([channel]) => channel === 'flags:changes')
        .map(([, m]) => JSON.parse(m));
      expect(changes.map((m) => [m.flag.key, m.flag.version, m.flag.enabled])).toEqual([
        ['PUBLISHED', 1, false],
        ['PUBLISHED', 2, true],
      ]);
      // Each request returned after its relay: a marker published now reaches the subscriber
      // after anything the service published to ws:broadcast.
      await app.redis.publish('ws:broadcast', 'marker');
      await waitFor(
        () =>
          messages.some(([channel, message]) => channel === 'ws:broadcast' && message === 'marker'),
        { message: 'the marker' },
      );
      expect(messages.filter(([channel]) => channel === 'ws:broadcast')).toEqual([
        ['ws:broadcast', 'marker'],
      ]);
      const events = messages
        .filter(([channel]) => channel === 'ws:room:admin')
        .map(([, m]) => JSON.parse(m));
      expect(events.map((e) => e.event)).toEqual(['flag.created', 'flag.toggled']);
      expect(events[1]).toMatchObject({
        room: 'admin',
        dealershipId: 'd-admin',
        data: { key: 'PUBLISHED', version: 2, enabled: true, actor: 'admin-1', reason: 'live' },
      });
    } finally {
      subscriber.disconnect();
    }
  });

  it('serves the OpenAPI document with the flag routes', async () => {
    const res = await app.inject('/docs/json');
    expect(res.statusCode).toBe(200);
    const paths = Object.keys(res.json().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/flags',
        '/api/flags/{key}',
        '/api/flags/{key}/rollback',
        '/api/flags/evaluate',
        '/ofrep/v1/evaluate/flags/{key}',
      ]),
    );
  });
});
