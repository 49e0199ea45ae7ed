import autocannon from 'autocannon';
import { percentile } from '../stats/latency-summary.js';
import { type HttpJob, type HttpReport, planRequests } from './http-plans.js';

/**
 * HTTP load generator (its own process): autocannon against one service.
 */
process.on('message', (raw) => {
  const job = raw as HttpJob;
  if (job.type !== 'run') return;
  // One discarded second first: the service's JIT and connection pools warm up outside the figures.
  // Pause/resume warms up on status reads, so every sandbox starts the measurement active.
  const warmPlan = job.plan === 'sandbox-pause-resume' ? 'sandbox-status' : job.plan;
  const warmup = autocannon(
    {
      url: job.baseUrl,
      connections: job.connections,
      duration: 1,
      headers: { authorization: `Bearer ${job.token}` },
      requests: planRequests(warmPlan, job.ids[0]!).map((r) => ({
        method: r.method,
        path: r.path,
        ...(r.body !== undefined
          ? { body: r.body, headers: { 'content-type': 'application/json' } }
          : {}),
      })),
    },
    () => measure(job),
  );
  process.once('disconnect', () => warmup.stop());
});

function measure(job: HttpJob): void {
  // The parent meters the service's CPU from here: warm-up requests stay out of the per-request cost.
  process.send?.({ type: 'measure-start' });
  const statuses: Record<string, number> = {};
  // A connection leases an id for one pass over its plan (pause then resume) and returns it at
  // the end, so two connections never drive the same sandbox at once. autocannon resets the
  // per-connection context at every pass, which is exactly the lease's lifetime.
  const free = [...job.ids];
  let roundRobin = 0;
  type Ctx = { id?: string; passStarted?: number };
  // One pass over the plan (e.g. pause then resume) timed end to end: what a caller of the pair waits.
  const passMs: number[] = [];
  const template = planRequests(job.plan, '<id>');
  const instance = autocannon(
    {
      url: job.baseUrl,
      connections: job.connections,
      duration: job.durationSec,
      timeout: 10,
      // autocannon's coordinated-omission correction assumes a 1 ms interval and so adds samples
      // shorter than the measured ones: the raw latencies are the honest figures here.
      ...(job.overallRate ? { overallRate: job.overallRate, ignoreCoordinatedOmission: true } : {}),
      headers: { authorization: `Bearer ${job.token}`, 'content-type': 'application/json' },
      requests: template.map((_, step) => ({
        setupRequest: (req: Record<string, unknown>, context: Ctx) => {
          if (step === 0) {
            context.id = free.shift() ?? job.ids[roundRobin++ % job.ids.length]!;
            context.passStarted = performance.now();
          }
          const request = planRequests(job.plan, context.id!)[step]!;
          return {
            ...req,
            method: request.method,
            path: request.path,
            ...(request.body !== undefined ? { body: request.body } : {}),
          };
        },
        onResponse: (status: number, _body: string, context: Ctx) => {
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (step === template.length - 1 && context.id) {
            free.push(context.id);
            if (context.passStarted !== undefined)
              passMs.push(performance.now() - context.passStarted);
          }
        },
      })),
    } as unknown as autocannon.Options,
    (err, result) => {
      if (err) {
        process.send?.({ type: 'fatal', message: err.message });
        return;
      }
      const report: HttpReport = {
        type: 'http-report',
        plan: job.plan,
        requestsPerSec: Math.round(result.requests.average),
        total: result.requests.total,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        maxMs: result.latency.max,
        passP99Ms: Math.round(percentile(passMs, 0.99) * 100) / 100,
        statuses,
        errors: result.errors,
        timeouts: result.timeouts,
      };
      process.send?.(report);
    },
  );
  process.once('disconnect', () => instance.stop());
}

process.on('disconnect', () => process.exit(0));
