import { mintToken } from '@switchboard/auth';
import { RealtimeApiError, createRealtimeHttpClient } from '@switchboard/room-log';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RunningGateway,
  TEST_SECRET,
  connect,
  startGateway,
  tokenFor,
  useRedis,
} from './helper.js';

const redis = useRedis();

describe('the server API HTTP client of the room-log package', () => {
  let gateway: RunningGateway;
  let client: ReturnType<typeof createRealtimeHttpClient>;

  beforeAll(async () => {
    gateway = await startGateway(redis.server.url, { instanceId: 'http-client' });
    client = createRealtimeHttpClient({
      baseUrl: `http://127.0.0.1:${gateway.port}`,
      token: mintToken(
        {
          sub: 'ci',
          dealershipId: 'D',
          role: 'service',
          scope: ['publish', 'history', 'presence'],
        },
        { secret: TEST_SECRET },
      ),
    });
  });
  afterAll(async () => gateway?.close());

  it('publishes with a typed helper and reads the event back from history', async () => {
    const browser = await connect(gateway.url, tokenFor('dev', 'D'));
    await browser.subscribe('project:web');
    const result = await client.events.prCreated('project:web', {
      prId: 'web#1',
      title: 'Add login',
    });
    expect(result).toMatchObject({ room: 'project:web', seq: 1 });
    await browser.waitFor((frame) => frame['event'] === 'pr.created', 'pr.created');
    const history = await client.history('project:web');
    expect(history.events.map((event) => [event.seq, event.event])).toEqual([[1, 'pr.created']]);
    expect((await client.presenceStats('project:web')).clients).toBe(1);
  });

  it('throws the SPEC error of a refused call', async () => {
    const error = await client
      .publish('project:web', 'workflow.progress', { workflowId: 'w', progress: 250 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RealtimeApiError);
    expect(error).toMatchObject({
      status: 400,
      code: 'VALIDATION_ERROR',
      details: { field: '/data/progress' },
    });
  });
});
