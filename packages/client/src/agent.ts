import { SwitchboardClient, type ClientOptions } from './client.js';
import { tokenClaims } from './token.js';

/** A task as the API shows it (docs/api/tasks.md, TaskView). */
export interface AgentTask {
  id: string;
  dealershipId: string;
  title: string;
  capability: string;
  state: string;
  assignee: string | null;
  createdBy: string;
  projectId: string | null;
  priority: number;
  version: number;
  input: unknown;
  result: unknown;
  error: unknown;
  attempts: number;
  createdAt: string;
  updatedAt: string;
}

/** Thrown by a handler to fail its task; `retryable` lets the service run it again later. */
export class TaskFailure extends Error {
  constructor(
    message: string,
    readonly retryable = false,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface TaskContext {
  /** Aborted when the task is cancelled (or the agent closes) while the handler runs. */
  signal: AbortSignal;
  /** Hands the task on instead of finishing it; the handler's return value is then ignored. */
  delegate(to: { toAgentId?: string; capability?: string; reason?: string }): Promise<void>;
}

export type TaskHandler = (task: AgentTask, ctx: TaskContext) => Promise<unknown>;

export interface AgentOptions {
  /** Gateway URL(s), as for SwitchboardClient. */
  url: string | string[];
  /** The agent's token (role `agent`; its `sub` is the agent id). */
  token: string;
  capabilities: string[];
  /** Tasks run at once. Default 1. */
  maxConcurrent?: number;
  labels?: Record<string, string>;
  /** The HTTP API's origin; default: the first gateway URL's origin (both behind one load balancer). */
  apiUrl?: string;
  /** Asked before accepting an offer; false rejects it (with `reason`), so the next agent gets it. */
  shouldAccept?: (
    task: AgentTask,
  ) => boolean | { accept: false; reason: string } | Promise<boolean>;
  WebSocket?: ClientOptions['WebSocket'];
  reconnect?: ClientOptions['reconnect'];
  fetch?: typeof globalThis.fetch;
}

interface Envelope<T> {
  success: boolean;
  data?: T;
  error?: { code: string; message: string };
}

/**
 * An agent built on the realtime client: registers (PUT /api/agents/:id) at every connect,
 * listens on `agent:<id>`, accepts what it is offered, runs the handler, then completes or
 * fails the task. After a reconnect it asks the API what it holds, so nothing offered while it
 * was away is missed, and a task it is already running is never started again.
 */
export function createAgent(options: AgentOptions) {
  const agentId = String(tokenClaims(options.token)?.['sub'] ?? '');
  if (!agentId) throw new Error('The agent token has no `sub`.');
  const firstUrl = Array.isArray(options.url) ? options.url[0]! : options.url;
  const apiUrl = (options.apiUrl ?? new URL(firstUrl).origin.replace(/^ws/, 'http')).replace(
    /\/$/,
    '',
  );
  const doFetch = options.fetch ?? globalThis.fetch;
  const client = new SwitchboardClient({
    url: options.url,
    token: options.token,
    ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
    ...(options.reconnect !== undefined ? { reconnect: options.reconnect } : {}),
  });
  /** Task ids being run now, with the abort of each. */
  const running = new Map<string, AbortController>();
  /** Tasks being accepted or run by this process: a catch-up leaves them alone. */
  const held = new Set<string>();
  /** Offers (task id @ version) taken up once: a redelivered event or a catch-up starts nothing. */
  const offers = new Set<string>();
  let handler: TaskHandler | undefined;
  let closed = false;

  /** One API call; an overloaded or rate-limited answer (503, 429) is retried a few times after Retry-After. */
  async function call<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; data: T | undefined; error: Envelope<T>['error'] }> {
    for (let attempt = 1; ; attempt += 1) {
      const reply = await callOnce<T>(method, path, body, headers);
      if ((reply.status !== 503 && reply.status !== 429) || attempt === 5 || closed) return reply;
      await new Promise((resolve) => setTimeout(resolve, reply.retryAfterMs));
    }
  }

  async function callOnce<T>(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
  ) {
    const response = await doFetch(`${apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${options.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await response.json()) as Envelope<T>;
    const retryAfterMs = Math.min(
      5000,
      Number(response.headers.get('retry-after') ?? 1) * 1000 || 1000,
    );
    return { status: response.status, data: json.data, error: json.error, retryAfterMs };
  }

  const register = () =>
    call('PUT', `/api/agents/${encodeURIComponent(agentId)}`, {
      capabilities: options.capabilities,
      maxConcurrent: options.maxConcurrent ?? 1,
      ...(options.labels ? { labels: options.labels } : {}),
    });

  async function run(task: AgentTask): Promise<void> {
    // The offer's id and version: a later offer of the same task (a retry, a delegation back) is new.
    const offer = `${task.id}@${task.version}`;
    if (!handler || closed || held.has(task.id) || offers.has(offer)) return;
    offers.add(offer);
    held.add(task.id);
    try {
      await accepted(task, handler);
    } finally {
      held.delete(task.id);
    }
  }

  /** Accepts an offer (if not accepted yet), runs the handler, reports its outcome. */
  async function accepted(offered: AgentTask, handle: TaskHandler): Promise<void> {
    let task = offered;
    if (task.state === 'assigned') {
      const verdict = options.shouldAccept ? await options.shouldAccept(task) : true;
      if (verdict !== true) {
        const reason = typeof verdict === 'object' ? verdict.reason : 'declined by the agent';
        await call(
          'POST',
          `/api/tasks/${task.id}/reject`,
          { reason },
          { 'if-match': `"${task.version}"` },
        );
        return;
      }
      const reply = await call<AgentTask>(
        'POST',
        `/api/tasks/${task.id}/accept`,
        {},
        {
          'if-match': `"${task.version}"`,
        },
      );
      // Taken back (timeout, cancel) or moved on meanwhile: not ours to run.
      if (reply.status !== 200 || !reply.data) return;
      task = reply.data;
    }
    const abort = new AbortController();
    running.set(task.id, abort);
    let delegated = false;
    const ctx: TaskContext = {
      signal: abort.signal,
      delegate: async (to) => {
        const result = await call('POST', `/api/tasks/${task.id}/delegate`, to);
        if (result.status !== 200) throw new Error(result.error?.message ?? 'delegation refused');
        delegated = true;
      },
    };
    try {
      const result = await handle(task, ctx);
      if (!delegated && !abort.signal.aborted)
        await call('POST', `/api/tasks/${task.id}/complete`, { result: result ?? null });
    } catch (error) {
      if (!delegated && !abort.signal.aborted) {
        const failure = error instanceof TaskFailure ? error : undefined;
        await call('POST', `/api/tasks/${task.id}/fail`, {
          error: failure?.details ?? { message: (error as Error).message },
          retryable: failure?.retryable ?? false,
        });
      }
    } finally {
      running.delete(task.id);
    }
  }

  /** What this agent holds per the API: offers missed while away, and tasks it accepted. */
  async function catchUp(): Promise<void> {
    for (const state of ['assigned', 'accepted']) {
      const page = await call<{ items: AgentTask[] }>(
        'GET',
        `/api/tasks?assignee=${encodeURIComponent(agentId)}&state=${state}&limit=200`,
      );
      for (const task of page.data?.items ?? []) {
        if (held.has(task.id)) continue;
        // Accepted by an earlier run of this agent that is gone: its outcome is unknown, so the
        // service decides whether to run it again (a retryable failure), not this process.
        if (state === 'accepted')
          await call('POST', `/api/tasks/${task.id}/fail`, {
            error: { message: 'the agent restarted while running the task' },
            retryable: true,
          });
        else void run(task).catch(() => undefined);
      }
    }
  }

  const offered = (data: { task: AgentTask }) => {
    if (data.task.assignee === agentId && data.task.state === 'assigned')
      void run(data.task).catch(() => undefined);
  };
  client.on('task.assigned', offered as never);
  client.on('task.delegated', offered as never);
  client.on('task.cancelled', ((data: { task: AgentTask }) =>
    running.get(data.task.id)?.abort()) as never);
  client.onClient('connected', () => {
    // Registration at each connect also asks the service to offer waiting tasks right away.
    void register()
      .then(() => catchUp())
      .catch(() => undefined);
  });

  return {
    agentId,
    client,
    /** Sets the handler and starts: registers, connects, listens on `agent:<id>`. */
    async onTask(taskHandler: TaskHandler): Promise<void> {
      handler = taskHandler;
      const registered = await register();
      if (registered.status >= 300)
        throw new Error(registered.error?.message ?? `registration failed (${registered.status})`);
      await client.subscribe(`agent:${agentId}`);
      await client.connect();
    },
    /** Tasks running now. */
    get running(): string[] {
      return [...running.keys()];
    },
    close(): void {
      closed = true;
      for (const abort of running.values()) abort.abort();
      client.close();
    },
  };
}
export type Agent = ReturnType<typeof createAgent>;
