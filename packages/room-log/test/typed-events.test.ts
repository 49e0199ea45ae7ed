import { eventTypes, roomKey } from '@switchboard/events';
import { createKeyspace } from '@switchboard/keyspace';
import { type RedisServer, startRedis } from '@switchboard/test-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  InvalidEventError,
  type PublishResult,
  createPublisher,
  helperName,
  readHistory,
  typedEvents,
} from '../src/index.js';

describe('typed event helpers', () => {
  let server: RedisServer;
  let redis: Redis;
  const ks = createKeyspace('te:');

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.cleanup();
  });

  it('names one helper per catalogue event in camel case', () => {
    expect(helperName('pr.created')).toBe('prCreated');
    expect(helperName('agent.status_changed')).toBe('agentStatusChanged');
    const publisher = createPublisher(redis, { keyspace: ks, offlineJobs: false });
    const events = typedEvents(publisher, 'd1');
    expect(Object.keys(events).sort()).toEqual(eventTypes.map(helperName).sort());
    expectTypeOf(events.projectUpdated).parameter(1).toMatchTypeOf<{ projectId: string }>();
    expectTypeOf(events.workflowProgress).returns.resolves.toEqualTypeOf<PublishResult>();
  });

  it('publishes through the room log with the event type the helper is named after', async () => {
    const publisher = createPublisher(redis, { keyspace: ks, offlineJobs: false });
    const events = typedEvents(publisher, 'd1');
    const first = await events.projectUpdated('project:7', { projectId: '7' });
    const second = await events.workflowFailed('project:7', { workflowId: 'w', error: 'boom' });
    expect([first.seq, second.seq]).toEqual([1, 2]);
    const history = await readHistory(redis, ks, roomKey('d1', 'project:7'), 1);
    expect(history.map((message) => message.event)).toEqual(['project.updated', 'workflow.failed']);
    await publisher.close();
  });

  it('refuses data that does not match the schema at run time too', async () => {
    const publisher = createPublisher(redis, { keyspace: ks, offlineJobs: false });
    const events = typedEvents(publisher, 'd1');
    await expect(
      // @ts-expect-error progress must be a number
      events.workflowProgress('project:7', { workflowId: 'w', progress: 'half' }),
    ).rejects.toThrow(InvalidEventError);
    await publisher.close();
  });
});
