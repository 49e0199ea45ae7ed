import { createKeyspace } from '@switchboard/keyspace';
import { createRedis } from '@switchboard/redis';
import type { TypedFastify } from '@switchboard/service-kit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { build, caller, useRedis, useSandboxRoot } from './helper.js';

/** The keys the apps under test use: they are built without a KEY_PREFIX. */
const keyspace = createKeyspace('');

describe('sandbox quotas and size bounds', () => {
  const redis = useRedis();
  const root = useSandboxRoot();
  const apps: TypedFastify[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
  });

  async function app(settings: Record<string, number> = {}) {
    const built = await build(redis.server.url, {
      settings: { SANDBOX_ROOT: root.path, ...settings },
    });
    apps.push(built);
    return built;
  }

  it('refuses a create past the dealership quota with 429 RATE_LIMITED naming the quota, and frees a slot on terminate', async () => {
    const api = await app({ SANDBOX_QUOTA_PER_DEALERSHIP: 2 });
    const erin = caller(api, 'erin', 'quota-d1');
    const first = await erin.createSandbox();
    await erin.createSandbox();
    const refused = await erin.post('/api/sandbox', { name: 'third' });
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json()).toMatchObject({
      success: false,
      error: { code: 'RATE_LIMITED', details: { quota: 'sandboxes', limit: 2, current: 2 } },
    });
    // Another tenant has its own quota.
    expect((await caller(api, 'erin', 'quota-d2').post('/api/sandbox', {})).statusCode).toBe(201);
    expect((await erin.delete(`/api/sandbox/${first.id}`)).statusCode).toBe(200);
    expect((await erin.post('/api/sandbox', { name: 'third' })).statusCode).toBe(201);
  });

  it('never passes the quota when two instances create concurrently', async () => {
    const [one, two] = [
      await app({ SANDBOX_QUOTA_PER_DEALERSHIP: 5 }),
      await app({ SANDBOX_QUOTA_PER_DEALERSHIP: 5 }),
    ];
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        caller(i % 2 ? one : two, `racer-${i}`, 'race-d').post('/api/sandbox', { name: `r${i}` }),
      ),
    );
    const statuses = results.map((res) => res.statusCode);
    expect(statuses.filter((status) => status === 201)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(19);
    const direct = createRedis(redis.server.url);
    expect(await direct.scard(keyspace.sandbox.liveByDealership('race-d'))).toBe(5);
    direct.disconnect();
    const listed = (
      await caller(one, 'admin', 'x', 'admin').get('/api/sandbox?dealershipId=race-d&limit=200')
    ).json().data.items;
    expect(listed).toHaveLength(5);
  });

  it('limits sandboxes with auto-pause settings per dealership, on create and on pause-settings', async () => {
    const api = await app({ SANDBOX_AUTO_PAUSE_QUOTA_PER_DEALERSHIP: 1 });
    const fay = caller(api, 'fay', 'ap-d');
    const scheduled = await fay.createSandbox({ settings: { autoPause: { idleTimeoutSec: 600 } } });
    const refused = await fay.post('/api/sandbox', {
      settings: { autoPause: { idleTimeoutSec: 600 } },
    });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.details).toMatchObject({ quota: 'auto-pause-schedules', limit: 1 });
    const plain = await fay.createSandbox();
    expect(
      (
        await fay.put(`/api/sandbox/${plain.id}/pause-settings`, {
          autoPause: { maxMemoryMb: 512 },
        })
      ).statusCode,
    ).toBe(429);
    // Turning the first schedule off frees its slot.
    expect(
      (await fay.put(`/api/sandbox/${scheduled.id}/pause-settings`, { autoPause: {} })).statusCode,
    ).toBe(200);
    expect(
      (
        await fay.put(`/api/sandbox/${plain.id}/pause-settings`, {
          autoPause: { maxMemoryMb: 512 },
        })
      ).statusCode,
    ).toBe(200);
  });

  it('refuses metadata larger than SANDBOX_METADATA_MAX_BYTES with 413 naming the limit', async () => {
    const api = await app({ SANDBOX_METADATA_MAX_BYTES: 1024 });
    const gus = caller(api, 'gus', 'meta-d');
    const refused = await gus.post('/api/sandbox', { metadata: { blob: 'x'.repeat(2000) } });
    expect(refused.statusCode).toBe(413);
    expect(refused.json()).toMatchObject({
      success: false,
      error: { code: 'PAYLOAD_TOO_LARGE', details: { field: 'metadata', limit: 1024 } },
    });
    expect(
      (await gus.post('/api/sandbox', { metadata: { blob: 'x'.repeat(900) } })).statusCode,
    ).toBe(201);
  });

  it('ends a list page early once its sandboxes add up to SANDBOX_LIST_MAX_BYTES, with a cursor that continues it', async () => {
    const api = await app({ SANDBOX_METADATA_MAX_BYTES: 65_536, SANDBOX_LIST_MAX_BYTES: 100_000 });
    const hal = caller(api, 'hal', 'bytes-d');
    const created: string[] = [];
    for (let i = 0; i < 5; i += 1)
      created.push(
        (
          await hal.createSandbox({
            name: `big-${i}`,
            metadata: { blob: String(i).repeat(40_000) },
          })
        ).id,
      );
    const first = await hal.get('/api/sandbox?limit=50');
    expect(first.statusCode).toBe(200);
    expect(first.json().data.items).toHaveLength(2);
    expect(first.body.length).toBeLessThan(100_000 + 10_000);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Array<{ id: string }>; nextCursor: string | null } = (
        await hal.get(`/api/sandbox?limit=50${cursor ? `&cursor=${cursor}` : ''}`)
      ).json().data;
      seen.push(...page.items.map((item: { id: string }) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...created].reverse());
  });
  it('keeps the auto-pause quota and the settings in step under concurrent on/off changes of one sandbox', async () => {
    const [one, two] = [await app(), await app()];
    const gina = caller(one, 'gina', 'settings-race-d');
    const sandbox = await gina.createSandbox();
    const direct = createRedis(redis.server.url);
    try {
      for (let round = 0; round < 5; round += 1) {
        const answers = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            caller(i % 2 ? one : two, 'gina', 'settings-race-d').put(
              `/api/sandbox/${sandbox.id}/pause-settings`,
              { autoPause: i % 4 < 2 ? { idleTimeoutSec: 60 } : {} },
            ),
          ),
        );
        // Each change either ran whole or was refused while another held the sandbox.
        for (const answer of answers) expect([200, 409]).toContain(answer.statusCode);
        const stored = (await gina.get(`/api/sandbox/${sandbox.id}/status`)).json().data;
        const scheduled = Boolean(stored.settings?.autoPause?.idleTimeoutSec);
        const counted = await direct.sismember(
          keyspace.sandbox.autoPauseByDealership('settings-race-d'),
          sandbox.id,
        );
        expect({ round, counted: counted === 1 }).toEqual({ round, counted: scheduled });
      }
    } finally {
      direct.disconnect();
    }
  });

  it('frees the quota of a terminate that committed but did not finish, when the terminate is retried', async () => {
    const api = await app();
    const hal = caller(api, 'hal', 'retry-d');
    const sandbox = await hal.createSandbox();
    // What a terminate whose process failed right after the commit leaves: terminated, slot held.
    await api.sandbox.sandboxes.transition({
      id: sandbox.id,
      action: 'terminate',
      actor: 'hal',
      source: 'api',
    });
    const direct = createRedis(redis.server.url);
    try {
      expect(await direct.sismember(keyspace.sandbox.liveByDealership('retry-d'), sandbox.id)).toBe(
        1,
      );
      const retried = await hal.delete(`/api/sandbox/${sandbox.id}`);
      expect(retried.statusCode).toBe(409);
      expect(await direct.sismember(keyspace.sandbox.liveByDealership('retry-d'), sandbox.id)).toBe(
        0,
      );
    } finally {
      direct.disconnect();
    }
  });
});
