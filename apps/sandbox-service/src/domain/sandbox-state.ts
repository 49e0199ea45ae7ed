/**
 * The one place that decides which sandbox state changes are legal. Everything else (the Lua
 * transition script, routes, auto-pause) asks this module; nothing hard-codes a transition.
 */
export const SANDBOX_STATES = ['active', 'paused', 'error', 'terminated'] as const;
export type SandboxState = (typeof SANDBOX_STATES)[number];

export const SANDBOX_ACTIONS = ['pause', 'resume', 'fail', 'terminate'] as const;
export type SandboxAction = (typeof SANDBOX_ACTIONS)[number];

/** action -> (from -> to). A missing entry is an illegal transition. */
const TABLE: Record<SandboxAction, Partial<Record<SandboxState, SandboxState>>> = {
  pause: { active: 'paused' },
  resume: { paused: 'active' },
  fail: { active: 'error', paused: 'error' },
  terminate: { active: 'terminated', paused: 'terminated', error: 'terminated' },
};

export type TransitionResult =
  | { ok: true; from: SandboxState; to: SandboxState }
  | { ok: false; from: SandboxState; to: SandboxState | undefined };

/** The state an action leads to from `from`, or ok:false with the target it would have had. */
export function transition(from: SandboxState, action: SandboxAction): TransitionResult {
  const to = TABLE[action][from];
  if (to) return { ok: true, from, to };
  return { ok: false, from, to: targetOf(action) };
}

/** The target state of an action regardless of origin (for 409 details). */
export function targetOf(action: SandboxAction): SandboxState {
  return Object.values(TABLE[action])[0] as SandboxState;
}

/** The states from which `action` is legal; handed to the Lua script so it can check atomically. */
export function allowedFrom(action: SandboxAction): SandboxState[] {
  return Object.keys(TABLE[action]) as SandboxState[];
}

export function isSandboxState(value: unknown): value is SandboxState {
  return typeof value === 'string' && (SANDBOX_STATES as readonly string[]).includes(value);
}

/** Executions may start only here. */
export function canExecute(state: SandboxState): boolean {
  return state === 'active';
}
