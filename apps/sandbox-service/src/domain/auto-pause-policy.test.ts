import { describe, expect, it } from 'vitest';
import { type PolicyInput, autoPauseDecision, executionActiveMs } from './auto-pause-policy.js';

const base: PolicyInput = {
  now: 100_000,
  state: 'active',
  lastActivityAt: 100_000,
  clock: { pausedMsTotal: 0 },
  running: [],
  settings: {},
};
const MiB = 1024 * 1024;

describe('executionActiveMs', () => {
  it.each([
    ['no pauses', { startedAt: 0, pausedMsAtStart: 0 }, { pausedMsTotal: 0 }, 10_000, 10_000],
    [
      'a finished pause during the run',
      { startedAt: 0, pausedMsAtStart: 0 },
      { pausedMsTotal: 4_000 },
      10_000,
      6_000,
    ],
    [
      'pauses before the run do not count',
      { startedAt: 5_000, pausedMsAtStart: 3_000 },
      { pausedMsTotal: 3_000 },
      10_000,
      5_000,
    ],
    [
      'a pause in progress',
      { startedAt: 0, pausedMsAtStart: 0 },
      { pausedMsTotal: 0, pausedAt: 7_000 },
      10_000,
      7_000,
    ],
  ])('%s', (_name, execution, clock, now, expected) => {
    expect(executionActiveMs(execution, clock, now)).toBe(expected);
  });
});

describe('autoPauseDecision', () => {
  it.each<[string, Partial<PolicyInput>, string | undefined]>([
    ['nothing configured', { lastActivityAt: 0 }, undefined],
    [
      'idle past the timeout',
      { lastActivityAt: 89_000, settings: { idleTimeoutSec: 10 } },
      'auto:idle',
    ],
    [
      'idle just under the timeout',
      { lastActivityAt: 91_000, settings: { idleTimeoutSec: 10 } },
      undefined,
    ],
    [
      'a running execution is activity',
      {
        lastActivityAt: 0,
        running: [{ executionId: 'e', startedAt: 99_000, pausedMsAtStart: 0 }],
        settings: { idleTimeoutSec: 10 },
      },
      undefined,
    ],
    [
      'an execution over the limit',
      {
        running: [{ executionId: 'e', startedAt: 90_000, pausedMsAtStart: 0 }],
        settings: { maxExecutionTimeSec: 5 },
      },
      'auto:max-execution',
    ],
    [
      'an execution already reported once is not paused again',
      {
        running: [{ executionId: 'e', startedAt: 90_000, pausedMsAtStart: 0, limitReported: true }],
        settings: { maxExecutionTimeSec: 5 },
      },
      undefined,
    ],
    [
      'paused time does not count toward the limit',
      {
        clock: { pausedMsTotal: 8_000 },
        running: [{ executionId: 'e', startedAt: 90_000, pausedMsAtStart: 0 }],
        settings: { maxExecutionTimeSec: 5 },
      },
      undefined,
    ],
    [
      'memory above the limit',
      { memoryBytes: 200 * MiB, settings: { maxMemoryMb: 100 } },
      'auto:memory',
    ],
    [
      'memory under the limit',
      { memoryBytes: 50 * MiB, settings: { maxMemoryMb: 100 } },
      undefined,
    ],
    [
      'never acts on a paused sandbox',
      { state: 'paused', lastActivityAt: 0, settings: { idleTimeoutSec: 1 } },
      undefined,
    ],
    [
      'memory wins over idleness',
      {
        lastActivityAt: 0,
        memoryBytes: 200 * MiB,
        settings: { maxMemoryMb: 100, idleTimeoutSec: 1 },
      },
      'auto:memory',
    ],
  ])('%s', (_name, overrides, expected) => {
    expect(autoPauseDecision({ ...base, ...overrides })?.source).toBe(expected);
  });
});
