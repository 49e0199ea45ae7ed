import type { EventData, EventType } from '@switchboard/events';

/** The part of a GitHub delivery the mapping reads (pull_request and issues events). */
interface GithubDelivery {
  action?: string;
  repository?: { full_name?: string };
  sender?: { login?: string };
  pull_request?: {
    number?: number;
    title?: string;
    html_url?: string;
    merged?: boolean;
    state?: string;
    user?: { login?: string };
    head?: { ref?: string };
    base?: { ref?: string };
  };
  issue?: {
    number?: number;
    title?: string;
    html_url?: string;
    state?: string;
    user?: { login?: string };
  };
}

export interface MappedEvent {
  event: EventType;
  data: EventData<EventType>;
}

/** GitHub event types the webhook turns into room events; every other one is acknowledged and ignored. */
export const HANDLED_GITHUB_EVENTS = new Set(['pull_request', 'issues']);

const PR_ACTIONS: Record<string, 'pr.created' | 'pr.updated' | 'pr.closed'> = {
  opened: 'pr.created',
  reopened: 'pr.updated',
  edited: 'pr.updated',
  synchronize: 'pr.updated',
  ready_for_review: 'pr.updated',
  converted_to_draft: 'pr.updated',
  closed: 'pr.closed',
};
const ISSUE_ACTIONS: Record<string, 'issue.created' | 'issue.updated' | 'issue.closed'> = {
  opened: 'issue.created',
  reopened: 'issue.updated',
  edited: 'issue.updated',
  labeled: 'issue.updated',
  unlabeled: 'issue.updated',
  assigned: 'issue.updated',
  unassigned: 'issue.updated',
  closed: 'issue.closed',
};

/** The repository (`owner/name`) of a delivery, to find its project. */
export function repositoryOf(payload: unknown): string | undefined {
  const name = (payload as GithubDelivery | null)?.repository?.full_name;
  return typeof name === 'string' && name.length > 0 ? name : undefined;
}

/**
 * A pull_request or issues delivery as a catalogue event (`pr.*`, `issue.*`), or undefined for
 * actions the catalogue has no event for. Ids are `owner/repo#number`, unique across repositories.
 */
export function mapGithubEvent(githubEvent: string, payload: unknown): MappedEvent | undefined {
  const mapped = mapDelivery(githubEvent, payload);
  return mapped && { event: mapped.event, data: compact(mapped.data) as MappedEvent['data'] };
}

/** Fields GitHub left out are left out of the event too (not sent as undefined). */
function compact(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined));
}

function mapDelivery(
  githubEvent: string,
  payload: unknown,
): { event: EventType; data: Record<string, unknown> } | undefined {
  const delivery = payload as GithubDelivery;
  const repo = repositoryOf(payload);
  const action = delivery.action ?? '';
  if (githubEvent === 'pull_request' && delivery.pull_request?.number !== undefined) {
    const event = PR_ACTIONS[action];
    if (!event || !repo) return undefined;
    const pr = delivery.pull_request;
    const prId = `${repo}#${pr.number}`;
    const context = {
      repository: repo,
      number: pr.number,
      url: pr.html_url,
      author: pr.user?.login,
      sender: delivery.sender?.login,
      action,
    };
    if (event === 'pr.created')
      return {
        event,
        data: { prId, title: pr.title, head: pr.head?.ref, base: pr.base?.ref, ...context },
      };
    if (event === 'pr.closed')
      return { event, data: { prId, merged: pr.merged === true, ...context } };
    return {
      event,
      data: { prId, changes: { action, title: pr.title, state: pr.state }, ...context },
    };
  }
  if (githubEvent === 'issues' && delivery.issue?.number !== undefined) {
    const event = ISSUE_ACTIONS[action];
    if (!event || !repo) return undefined;
    const issue = delivery.issue;
    const issueId = `${repo}#${issue.number}`;
    const context = {
      repository: repo,
      number: issue.number,
      url: issue.html_url,
      author: issue.user?.login,
      action,
    };
    if (event === 'issue.created')
      return { event, data: { issueId, title: issue.title, ...context } };
    if (event === 'issue.closed') return { event, data: { issueId, ...context } };
    return {
      event,
      data: { issueId, changes: { action, title: issue.title, state: issue.state }, ...context },
    };
  }
  return undefined;
}
