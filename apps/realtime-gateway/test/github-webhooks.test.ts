import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubSignature, verifyGithubSignature } from '../src/webhooks/github-signature.js';
import { type RunningGateway, connect, startGateway, tokenFor, useRedis } from './helper.js';

const redis = useRedis();
const SECRET = 'a-dealership-webhook-secret';
const pullRequestOpened = readFileSync(
  new URL('./fixtures/github-pull-request-opened.json', import.meta.url),
);

describe('GitHub webhook signatures', () => {
  it("matches GitHub's documented example vector", () => {
    expect(githubSignature("It's a Secret to Everybody", 'Hello, World!')).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
    expect(
      verifyGithubSignature(
        "It's a Secret to Everybody",
        Buffer.from('Hello, World!'),
        'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
      ),
    ).toBe(true);
  });

  it.each([undefined, '', 'sha1=abc', `sha256=${'0'.repeat(64)}`, 'sha256=757107ea'])(
    'refuses the signature %j',
    (header) => {
      expect(verifyGithubSignature('s', Buffer.from('x'), header)).toBe(false);
    },
  );
});

describe('POST /api/realtime/webhooks/github/:dealershipId', () => {
  let gateway: RunningGateway;
  const admin = tokenFor('root', 'D1', 'admin');

  const deliver = (body: Buffer | string, headers: Record<string, string>, dealershipId = 'D1') =>
    gateway.app.inject({
      method: 'POST',
      url: `/api/realtime/webhooks/github/${dealershipId}`,
      headers: { 'content-type': 'application/json', ...headers },
      payload: body,
    });
  const signed = (body: Buffer | string, event: string, delivery: string, secret = SECRET) => ({
    'x-hub-signature-256': githubSignature(secret, body),
    'x-github-event': event,
    'x-github-delivery': delivery,
  });

  beforeAll(async () => {
    gateway = await startGateway(redis.server.url, { instanceId: 'gh' });
    const res = await gateway.app.inject({
      method: 'PUT',
      url: '/api/realtime/webhooks/github/D1/config',
      headers: { authorization: `Bearer ${admin}` },
      payload: { secret: SECRET, repos: { 'octocat/Hello-World': 'hello' } },
    });
    expect(res.statusCode).toBe(200);
  });
  afterAll(async () => gateway?.close());

  it('maps a pull_request "opened" delivery to pr.created in the mapped project room', async () => {
    const client = await connect(gateway.url, tokenFor('dev', 'D1'));
    await client.subscribe('project:hello');
    const res = await deliver(pullRequestOpened, signed(pullRequestOpened, 'pull_request', 'd-1'));
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({
      status: 'published',
      event: 'pr.created',
      room: 'project:hello',
    });
    const frame = await client.waitFor(
      (f) => f.type === 'event' && f.event === 'pr.created',
      'pr.created',
    );
    expect(frame['data']).toMatchObject({
      prId: 'octocat/Hello-World#1347',
      title: 'Amazing new feature',
      head: 'new-topic',
      base: 'main',
      author: 'octocat',
    });
  });

  it('deduplicates a redelivery by X-GitHub-Delivery', async () => {
    const res = await deliver(pullRequestOpened, signed(pullRequestOpened, 'pull_request', 'd-1'));
    expect(res.json().data.status).toBe('duplicate');
    const history = await gateway.app.inject({
      url: '/api/realtime/rooms/project:hello/history',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(
      history.json().data.events.filter((e: { event: string }) => e.event === 'pr.created'),
    ).toHaveLength(1);
  });

  it('answers 401 for a wrong, missing or other-secret signature', async () => {
    const statuses = [
      (
        await deliver(pullRequestOpened, {
          'x-github-event': 'pull_request',
          'x-github-delivery': 'x1',
        })
      ).statusCode,
      (
        await deliver(
          pullRequestOpened,
          signed(pullRequestOpened, 'pull_request', 'x2', 'another-secret'),
        )
      ).statusCode,
      (
        await deliver(
          `${pullRequestOpened.toString()} `,
          signed(pullRequestOpened, 'pull_request', 'x3'),
        )
      ).statusCode,
      // A dealership with no secret configured answers the same.
      (await deliver(pullRequestOpened, signed(pullRequestOpened, 'pull_request', 'x4'), 'D2'))
        .statusCode,
    ];
    expect(statuses).toEqual([401, 401, 401, 401]);
  });

  it('answers 202 for event types it ignores, and checks the signature over the raw bytes', async () => {
    await gateway.app.inject({
      method: 'PUT',
      url: '/api/realtime/webhooks/github/D3/config',
      headers: { authorization: `Bearer ${tokenFor('root', 'D3', 'admin')}` },
      payload: { secret: "It's a Secret to Everybody" },
    });
    const res = await gateway.app.inject({
      method: 'POST',
      url: '/api/realtime/webhooks/github/D3',
      headers: {
        'content-type': 'text/plain',
        'x-hub-signature-256':
          'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
        'x-github-event': 'ping',
        'x-github-delivery': 'vector',
      },
      payload: 'Hello, World!',
    });
    expect(res.statusCode).toBe(202);
    expect(res.json().data.status).toBe('ignored');
  });

  it('maps issues deliveries and ignores repositories without a project', async () => {
    const issue = JSON.stringify({
      action: 'closed',
      issue: {
        number: 7,
        title: 'Bug',
        state: 'closed',
        html_url: 'https://github.com/octocat/Hello-World/issues/7',
      },
      repository: { full_name: 'octocat/Hello-World' },
    });
    const res = await deliver(issue, signed(issue, 'issues', 'i-1'));
    expect(res.json().data).toMatchObject({ status: 'published', event: 'issue.closed' });
    const unmapped = issue.replaceAll('octocat/Hello-World', 'someone/else');
    const ignored = await deliver(unmapped, signed(unmapped, 'issues', 'i-2'));
    expect(ignored.statusCode, ignored.body).toBe(202);
  });

  it('keeps the secret write-only and the config admin-only', async () => {
    const view = await gateway.app.inject({
      url: '/api/realtime/webhooks/github/D1/config',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(view.json().data).toEqual({
      dealershipId: 'D1',
      secretSet: true,
      repos: { 'octocat/hello-world': 'hello' },
    });
    expect(view.body).not.toContain(SECRET);
    const asUser = await gateway.app.inject({
      method: 'PUT',
      url: '/api/realtime/webhooks/github/D1/config',
      headers: { authorization: `Bearer ${tokenFor('u', 'D1')}` },
      payload: { secret: 'x'.repeat(20) },
    });
    expect(asUser.statusCode).toBe(403);
  });
});
