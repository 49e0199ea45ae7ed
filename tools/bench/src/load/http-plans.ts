/**
 * Request plans the HTTP load worker knows. Plans are named (not functions) because they cross
 * a process boundary; per-connection state (which sandbox a connection drives) lives in
 * autocannon's per-connection `context`.
 */
export type HttpPlan =
  | 'sandbox-status'
  | 'sandbox-pause-resume'
  | 'sandbox-execute-paused'
  | 'ofrep-single'
  | 'ofrep-bulk'
  | 'realtime-publish';

export interface HttpJob {
  type: 'run';
  plan: HttpPlan;
  baseUrl: string;
  token: string;
  /** Sandbox ids (one per connection for pause/resume, which must not race) or the flag key. */
  ids: string[];
  connections: number;
  durationSec: number;
  /**
   * Requests per second over all connections (autocannon's overallRate); none: as fast as the
   * service answers. Paced well below what the service sustains, a request is not held back by
   * the one before it, so latencies are recorded as measured.
   */
  overallRate?: number;
}

export interface HttpReport {
  type: 'http-report';
  plan: HttpPlan;
  requestsPerSec: number;
  total: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** p99 of one pass over the plan's requests (a pause+resume pair), from the first request's send. */
  passP99Ms: number;
  /** Service CPU per answered request, µs (user + system, /proc), when the service's pid is known. */
  cpuUsPerRequest?: number;
  /** What one free core would answer at that cost: 1e6 / cpuUsPerRequest. */
  reqPerCoreSec?: number;
  /** Responses by status code. */
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
}

export interface PlannedRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

/** The request sequence one connection repeats; `id` is the connection's sandbox or the flag key. */
export function planRequests(plan: HttpPlan, id: string): PlannedRequest[] {
  switch (plan) {
    case 'sandbox-status':
      return [{ method: 'GET', path: `/api/sandbox/${id}/status` }];
    case 'sandbox-pause-resume':
      return [
        {
          method: 'POST',
          path: `/api/sandbox/pause/${id}`,
          body: JSON.stringify({ reason: 'bench' }),
        },
        { method: 'POST', path: `/api/sandbox/resume/${id}`, body: '{}' },
      ];
    case 'sandbox-execute-paused':
      return [
        {
          method: 'POST',
          path: `/api/sandbox/${id}/tools/execute`,
          body: JSON.stringify({ tool: 'echo', input: { message: 'bench' } }),
        },
      ];
    case 'ofrep-single':
      return [
        {
          method: 'POST',
          path: `/ofrep/v1/evaluate/flags/${id}`,
          body: JSON.stringify({
            context: { targetingKey: 'user-42', dealershipId: 'bench-d', plan: 'pro' },
          }),
        },
      ];
    case 'realtime-publish':
      return [
        {
          method: 'POST',
          path: '/api/realtime/publish',
          body: JSON.stringify({
            room: `project:${id}`,
            event: 'project.updated',
            data: { projectId: id, changes: { status: 'building' } },
          }),
        },
      ];
    case 'ofrep-bulk':
      return [
        {
          method: 'POST',
          path: '/ofrep/v1/evaluate/flags',
          body: JSON.stringify({
            context: { targetingKey: 'user-42', dealershipId: 'bench-d', plan: 'pro' },
          }),
        },
      ];
  }
}
