import { describe, expect, it } from 'vitest';
import {
  SANDBOX_ACTIONS,
  SANDBOX_STATES,
  type SandboxAction,
  type SandboxState,
  allowedFrom,
  canExecute,
  transition,
} from './sandbox-state.js';

const legal: Array<[SandboxState, SandboxAction, SandboxState]> = [
  ['active', 'pause', 'paused'],
  ['paused', 'resume', 'active'],
  ['active', 'fail', 'error'],
  ['paused', 'fail', 'error'],
  ['active', 'terminate', 'terminated'],
  ['paused', 'terminate', 'terminated'],
  ['error', 'terminate', 'terminated'],
];

describe('sandbox state machine', () => {
  it.each(legal)('%s --%s--> %s', (from, action, to) => {
    expect(transition(from, action)).toEqual({ ok: true, from, to });
    expect(allowedFrom(action)).toContain(from);
  });

  const illegal = SANDBOX_STATES.flatMap((from) =>
    SANDBOX_ACTIONS.filter((action) => !legal.some(([f, a]) => f === from && a === action)).map(
      (action) => [from, action] as const,
    ),
  );
  it.each(illegal)('refuses %s --%s-->', (from, action) => {
    const result = transition(from, action);
    expect(result.ok).toBe(false);
    expect(allowedFrom(action)).not.toContain(from);
  });

  it('knows the states and actions this table was written for', () => {
    // A new state or action must be added to the table above, or its pairs go untested.
    expect([...SANDBOX_STATES].sort()).toEqual(['active', 'error', 'paused', 'terminated']);
    expect([...SANDBOX_ACTIONS].sort()).toEqual(['fail', 'pause', 'resume', 'terminate']);
  });

  it('reports the would-be target in a refusal', () => {
    expect(transition('paused', 'pause')).toEqual({ ok: false, from: 'paused', to: 'paused' });
    expect(transition('terminated', 'resume')).toEqual({
      ok: false,
      from: 'terminated',
      to: 'active',
    });
  });

  it('lets executions start only in active', () => {
    expect(SANDBOX_STATES.filter(canExecute)).toEqual(['active']);
  });
});
