import { describe, expect, it } from 'vitest';
import { planRequests } from './http-plans.js';

describe('planRequests', () => {
  it('pairs pause with resume on the same sandbox so the pair can repeat forever', () => {
    const reqs = planRequests('sandbox-pause-resume', 'sb1');
    expect(reqs.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/sandbox/pause/sb1',
      'POST /api/sandbox/resume/sb1',
    ]);
  });

  it('targets the SPEC paths', () => {
    expect(planRequests('sandbox-status', 'x')[0]!.path).toBe('/api/sandbox/x/status');
    expect(planRequests('sandbox-execute-paused', 'x')[0]!.path).toBe(
      '/api/sandbox/x/tools/execute',
    );
    expect(planRequests('ofrep-single', 'flag.a')[0]!.path).toBe('/ofrep/v1/evaluate/flags/flag.a');
    expect(JSON.parse(planRequests('ofrep-bulk', 'ignored')[0]!.body!)).toHaveProperty(
      'context.targetingKey',
    );
  });
});
