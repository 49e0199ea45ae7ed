import { createKeyspace, sandboxOwner } from '@switchboard/keyspace';
import type { TypedFastify } from '@switchboard/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, caller, useRedis, useSandboxRoot } from './helper.js';

/**
 * Other services (the gateway's sandbox rooms) learn who owns a sandbox through sandboxOwner
 * alone: what the sandbox store writes must be what that call reads, under any KEY_PREFIX.
 */
describe('sandbox owner lookup', () => {
  const redis = useRedis();
  const root = useSandboxRoot();
  const keyspace = createKeyspace('owner-test:');
  let app: TypedFastify;

  beforeAll(async () => {
    app = await build(redis.server.url, { settings: { SANDBOX_ROOT: root.path }, keyspace });
  });
  afterAll(async () => {
    await app.close();
  });

  it("answers the creating caller's dealership, and null for a sandbox that does not exist", async () => {
    const created = await caller(app, 'alice', 'd-owner').createSandbox();
    expect(await sandboxOwner(app.redis, keyspace, created.id)).toBe('d-owner');
    expect(await sandboxOwner(app.redis, createKeyspace(''), created.id)).toBeNull();
    expect(await sandboxOwner(app.redis, keyspace, 'sbx_missing')).toBeNull();
  });
});
