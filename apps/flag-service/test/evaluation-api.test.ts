import type { TypedFastify } from '@switchboard/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, user } from './api.js';
import { build, tokenFor, useRedis } from './helper.js';

describe('flag evaluation API', () => {
  const redis = useRedis();
  let app: TypedFastify;
  beforeAll(async () => {
    app = await build(redis.server.url);
    await call(app, 'POST', '/api/flags', { key: 'STATIC_ON', enabled: true });
    await call(app, 'POST', '/api/flags', { key: 'KILLED', enabled: false });
    await call(app, 'POST', '/api/flags', {
      key: 'THEME',
      enabled: true,
      variants: { light: 'light', dark: 'dark', neon: 'neon' },
      defaultVariant: 'light',
      rules: [
        {
          constraints: [{ attribute: 'dealershipId', operator: 'in', values: ['d-vip'] }],
          variant: 'neon',
        },
        {
          constraints: [{ attribute: 'environment', operator: 'equals', value: 'prod' }],
          rollout: {
            variants: [
              { variant: 'dark', weight: 50 },
              { variant: 'light', weight: 50 },
            ],
          },
        },
      ],
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  const admin = tokenFor('admin-1', 'd-admin', 'admin');

  it('evaluates one flag with value, variant, reason and version for any valid token', async () => {
    const res = await call(
      app,
      'POST',
      '/api/flags/STATIC_ON/evaluate',
      { context: { targetingKey: 'u1' } },
      { token: user },
    );
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toEqual({
      key: 'STATIC_ON',
      value: true,
      variant: 'on',
      reason: 'STATIC',
      version: 1,
    });
    const agent = await call(app, 'POST', '/api/flags/KILLED/evaluate', undefined, {
      token: tokenFor('a1', 'd1', 'agent'),
    });
    expect(agent.json().data).toMatchObject({ value: false, variant: 'off', reason: 'DISABLED' });
  });

  it.each([
    [
      'TARGETING_MATCH',
      { dealershipId: 'd-vip' },
      'admin',
      { value: 'neon', reason: 'TARGETING_MATCH' },
    ],
    ['SPLIT', { environment: 'prod', targetingKey: 'u-42' }, 'user', { reason: 'SPLIT' }],
    ['DEFAULT', { environment: 'dev' }, 'user', { value: 'light', reason: 'DEFAULT' }],
    [
      'ERROR when the rollout lacks its stickiness attribute',
      { environment: 'prod' },
      'user',
      { reason: 'ERROR', errorCode: 'TARGETING_KEY_MISSING', value: 'light' },
    ],
  ])('answers %s', async (_name, context, role, expected) => {
    const token = role === 'admin' ? admin : user;
    const res = await call(app, 'POST', '/api/flags/THEME/evaluate', { context }, { token });
    expect(res.json().data).toMatchObject({ key: 'THEME', version: 1, ...expected });
  });

  it('evaluates a non-admin as its own dealership, whatever the context says', async () => {
    const res = await call(
      app,
      'POST',
      '/api/flags/THEME/evaluate',
      { context: { dealershipId: 'd-vip', environment: 'dev' } },
      { token: user },
    );
    expect(res.json().data).toMatchObject({ value: 'light', reason: 'DEFAULT' });
  });

  it('evaluates all flags, or the listed ones', async () => {
    const all = (
      await call(
        app,
        'POST',
        '/api/flags/evaluate',
        { context: { environment: 'dev' } },
        { token: user },
      )
    ).json().data.flags;
    expect(all.map((r: { key: string }) => r.key)).toEqual(['KILLED', 'STATIC_ON', 'THEME']);
    const some = (
      await call(
        app,
        'POST',
        '/api/flags/evaluate',
        { keys: ['THEME', 'MISSING'] },
        { token: user },
      )
    ).json().data.flags;
    expect(some).toEqual([
      expect.objectContaining({ key: 'THEME', value: 'light' }),
      expect.objectContaining({ key: 'MISSING', reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' }),
    ]);
    const noBody = await call(app, 'POST', '/api/flags/evaluate', undefined, { token: user });
    expect(noBody.statusCode).toBe(200);
  });

  it('sees an admin change in the next evaluation', async () => {
    await call(app, 'POST', '/api/flags/STATIC_ON/toggle', { enabled: false });
    const res = await call(app, 'POST', '/api/flags/STATIC_ON/evaluate', {}, { token: user });
    expect(res.json().data).toMatchObject({ value: false, reason: 'DISABLED', version: 2 });
  });

  it('rejects unknown flags, bad tokens, bad contexts and malformed JSON with the envelope', async () => {
    const missing = await call(app, 'POST', '/api/flags/NOPE/evaluate', {}, { token: user });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('RECORD_NOT_FOUND');
    expect(
      (await app.inject({ method: 'POST', url: '/api/flags/evaluate', payload: {} })).statusCode,
    ).toBe(401);
    const expired = tokenFor('u', 'd1', 'user');
    expect(
      (await call(app, 'POST', '/api/flags/evaluate', {}, { token: `${expired}x` })).statusCode,
    ).toBe(401);
    const badContext = await call(
      app,
      'POST',
      '/api/flags/evaluate',
      { context: 'everyone' },
      { token: user },
    );
    expect(badContext.statusCode).toBe(400);
    expect(badContext.json().error.details.fields[0].path).toBe('/context');
    const malformed = await app.inject({
      method: 'POST',
      url: '/api/flags/evaluate',
      headers: { authorization: `Bearer ${user}`, 'content-type': 'application/json' },
      payload: '{',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ success: false, error: { code: 'VALIDATION_ERROR' } });
  });

  it('counts evaluations in the seed metrics', async () => {
    await call(
      app,
      'POST',
      '/api/flags/THEME/evaluate',
      { context: { environment: 'dev' } },
      { token: user },
    );
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toMatch(
      /feature_flag_evaluations_total\{flag="THEME",result="light"[^}]*\} \d+/,
    );
    expect(metrics).toMatch(/feature_flags_total\{status="enabled"[^}]*\} 1/);
    expect(metrics).toMatch(/feature_flags_total\{status="disabled"[^}]*\} 2/);
    expect(metrics).toContain('feature_flag_evaluation_duration_seconds_count');
    expect(metrics).toMatch(/feature_flag_evaluations_total\{flag="__unknown__",result="error"/);
  });
});
