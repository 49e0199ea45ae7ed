import { REASONS } from '@switchboard/flags';
import type { TypedFastify } from '@switchboard/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toOfrep } from '../src/domain/ofrep.js';
import { call } from './api.js';
import { build, useRedis } from './helper.js';

/*
 * What the OFREP v1 OpenAPI document (open-feature/protocol, service/openapi.yaml) allows, in our
 * own words:
 * - a successful evaluation has `key` and `reason`; `reason` is one of STATIC, TARGETING_MATCH,
 *   SPLIT, DISABLED or UNKNOWN; `variant` is a string; `value` is a boolean, string, number or
 *   object (or absent: "use your code default"); `metadata` maps names to booleans, strings or
 *   numbers;
 * - a failed evaluation (400, or an item of a bulk answer) has `key` and an `errorCode` of
 *   PARSE_ERROR, TARGETING_KEY_MISSING, INVALID_CONTEXT or GENERAL; a missing flag is a 404 with
 *   errorCode FLAG_NOT_FOUND; a 500 carries `errorDetails`; a failed bulk request has an
 *   `errorCode`; a successful bulk answer has `flags`, an array of the above.
 */
const ALLOWED_REASONS = ['STATIC', 'TARGETING_MATCH', 'SPLIT', 'DISABLED', 'UNKNOWN'];
const EVALUATION_ERRORS = ['PARSE_ERROR', 'TARGETING_KEY_MISSING', 'INVALID_CONTEXT', 'GENERAL'];

function expectOfrepSuccess(body: Record<string, unknown>): void {
  expect(typeof body['key']).toBe('string');
  expect(ALLOWED_REASONS).toContain(body['reason']);
  if ('variant' in body) expect(typeof body['variant']).toBe('string');
  if ('value' in body) {
    const value = body['value'];
    expect(value === null || Array.isArray(value) ? 'not allowed' : typeof value).toMatch(
      /^(boolean|string|number|object)$/,
    );
  }
  for (const entry of Object.values(
    (body['metadata'] as Record<string, unknown> | undefined) ?? {},
  ))
    expect(['boolean', 'string', 'number']).toContain(typeof entry);
}

describe('OFREP answers conform to the OFREP document', () => {
  it('maps every reason the evaluation engine can produce onto one the document allows', () => {
    for (const reason of REASONS) {
      const answer = toOfrep({ key: 'K', value: true, variant: 'on', reason, version: 3 });
      expect('reason' in answer && answer.reason, reason).toSatisfy((mapped: unknown) =>
        ALLOWED_REASONS.includes(mapped as string),
      );
    }
  });

  it('keeps our finer reason in metadata when the document has no equivalent', () => {
    expect(
      toOfrep({ key: 'K', value: 'red', variant: 'red', reason: 'DEFAULT', version: 2 }),
    ).toEqual({
      key: 'K',
      value: 'red',
      variant: 'red',
      reason: 'UNKNOWN',
      metadata: { version: 2, evaluationReason: 'DEFAULT' },
    });
  });

  it('never answers a value the document cannot express (top-level array or null)', () => {
    for (const value of [[1, 2], null]) {
      expect(
        toOfrep({ key: 'K', value, variant: 'v', reason: 'STATIC', version: 1 }),
      ).toMatchObject({ key: 'K', errorCode: 'GENERAL' });
    }
  });

  describe('over HTTP', () => {
    const redis = useRedis();
    let app: TypedFastify;
    beforeAll(async () => {
      app = await build(redis.server.url);
      await call(app, 'POST', '/api/flags', { key: 'STATIC_FLAG', enabled: true });
      await call(app, 'POST', '/api/flags', { key: 'OFF_FLAG', enabled: false });
      await call(app, 'POST', '/api/flags', {
        key: 'RULED',
        enabled: true,
        variants: { a: 'a', b: 'b' },
        defaultVariant: 'a',
        rules: [
          { constraints: [{ attribute: 'plan', operator: 'in', values: ['pro'] }], variant: 'b' },
        ],
      });
      await call(app, 'POST', '/api/flags', {
        key: 'ROLLOUT',
        enabled: true,
        rules: [
          {
            constraints: [],
            rollout: {
              variants: [
                { variant: 'on', weight: 50 },
                { variant: 'off', weight: 50 },
              ],
            },
          },
        ],
      });
      await call(app, 'POST', '/api/flags', {
        key: 'LIST',
        enabled: true,
        type: 'json',
        variants: { v: [1, 2] },
        defaultVariant: 'v',
      });
      await call(app, 'POST', '/api/flags', {
        key: 'OBJECT',
        enabled: true,
        type: 'json',
        variants: { v: { a: [1] } },
        defaultVariant: 'v',
      });
    });
    afterAll(async () => {
      await app?.close();
    });

    const ofrep = (url: string, context: unknown) => call(app, 'POST', url, { context });

    it.each([
      ['STATIC_FLAG', { targetingKey: 'u' }, 'STATIC'],
      ['OFF_FLAG', { targetingKey: 'u' }, 'DISABLED'],
      ['RULED', { targetingKey: 'u', plan: 'pro' }, 'TARGETING_MATCH'],
      ['RULED', { targetingKey: 'u', plan: 'free' }, 'UNKNOWN'],
      ['ROLLOUT', { targetingKey: 'u' }, 'SPLIT'],
      ['OBJECT', { targetingKey: 'u' }, 'STATIC'],
    ])('%s with %j answers reason %s', async (key, context, reason) => {
      const res = await ofrep(`/ofrep/v1/evaluate/flags/${key}`, context);
      expect(res.statusCode).toBe(200);
      expectOfrepSuccess(res.json());
      expect(res.json().reason).toBe(reason);
    });

    it("answers failures with the document's error codes", async () => {
      const missing = await ofrep('/ofrep/v1/evaluate/flags/NOPE', { targetingKey: 'u' });
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toMatchObject({ key: 'NOPE', errorCode: 'FLAG_NOT_FOUND' });
      const noKey = await ofrep('/ofrep/v1/evaluate/flags/ROLLOUT', {});
      expect(noKey.statusCode).toBe(400);
      expect(EVALUATION_ERRORS).toContain(noKey.json().errorCode);
      expect(noKey.json().key).toBe('ROLLOUT');
      const list = await ofrep('/ofrep/v1/evaluate/flags/LIST', { targetingKey: 'u' });
      expect(list.statusCode).toBe(500);
      expect(typeof list.json().errorDetails).toBe('string');
    });

    it('answers a bulk evaluation whose every item is a success or failure the document allows', async () => {
      for (const context of [{ targetingKey: 'u', plan: 'free' }, {}]) {
        const res = await ofrep('/ofrep/v1/evaluate/flags', context);
        expect(res.statusCode).toBe(200);
        const flags = res.json().flags as Array<Record<string, unknown>>;
        expect(flags.length).toBeGreaterThan(0);
        for (const item of flags) {
          if ('errorCode' in item) {
            expect(typeof item['key']).toBe('string');
            expect(EVALUATION_ERRORS).toContain(item['errorCode']);
          } else expectOfrepSuccess(item);
        }
      }
    });
  });
});
