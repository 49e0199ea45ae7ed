import { describe, expect, it } from 'vitest';
import { gatewayStatsFixture } from '../fixtures/contracts.js';
import { addEvent, EVENT_BUFFER_LIMIT, matchesFilter } from '../src/views/events/event-buffer.js';
import { definitionOf, rolloutPercent, withRolloutPercent } from '../src/views/flags/definition.js';
import type { Flag } from '../src/views/flags/flag-types.js';
import { jsonDiff } from '../src/views/flags/json-diff.js';
import { WINDOW_MS, addSample } from '../src/views/gateways/stats-series.js';

const flag: Flag = {
  key: 'F',
  version: 3,
  enabled: true,
  variants: { on: true, off: false },
  defaultVariant: 'on',
  rules: [],
  updatedAt: 'x',
};
const event = (room: string, id: string, type = 'sandbox.paused') => ({
  event: type,
  data: {},
  meta: { room, id, seq: 1, epoch: 'e', ts: 0 },
});

describe('jsonDiff', () => {
  it.each([
    [{ a: 1 }, { a: 1 }, []],
    [{ a: 1 }, { a: 2 }, [{ path: '/a', from: 1, to: 2 }]],
    [{ a: 1 }, {}, [{ path: '/a', from: 1 }]],
    [{}, { 'b/c': true }, [{ path: '/b~1c', to: true }]],
    [{ r: [1] }, { r: [1, 2] }, [{ path: '/r/1', to: 2 }]],
    [{ x: { y: 'a' } }, { x: null }, [{ path: '/x', from: { y: 'a' }, to: null }]],
  ])('%j -> %j', (before, after, changes) => {
    expect(jsonDiff(before, after)).toEqual(changes);
  });
});

describe('flag definitions', () => {
  it('drops the fields the service owns before a PUT', () => {
    expect(definitionOf(flag)).toEqual({
      enabled: true,
      variants: { on: true, off: false },
      defaultVariant: 'on',
      rules: [],
    });
  });

  it('adds a rollout for everyone when the flag has none, and edits the first one after', () => {
    const rules = withRolloutPercent(flag, 30);
    expect(rules).toEqual([
      {
        constraints: [],
        rollout: {
          variants: [
            { variant: 'on', weight: 30 },
            { variant: 'off', weight: 70 },
          ],
        },
      },
    ]);
    const edited = withRolloutPercent({ ...flag, rules }, 55);
    expect(rolloutPercent({ ...flag, rules: edited })).toBe(55);
    expect(edited).toHaveLength(1);
  });
});

describe('gateway stats series', () => {
  it('turns the messagesOut counter into deliveries per second (none for the first reading) and ignores a counter reset', () => {
    const first = gatewayStatsFixture(0);
    const second = gatewayStatsFixture(1);
    let series = addSample([], first, undefined);
    expect(series[0]?.deliveriesPerSec).toBeNull();
    series = addSample(series, second, first);
    const expected = (second.totals.messagesOut - first.totals.messagesOut) / 2;
    expect(series[1]?.deliveriesPerSec).toBeCloseTo(expected);
    const reset = { ...gatewayStatsFixture(2), totals: { ...second.totals, messagesOut: 0 } };
    expect(addSample(series, reset, second)[2]?.deliveriesPerSec).toBe(0);
  });

  it('keeps only the last minutes and never the same reading twice', () => {
    const start = Date.parse('2026-12-02T10:00:00Z');
    let series = addSample([], gatewayStatsFixture(0, start), undefined);
    series = addSample(series, gatewayStatsFixture(0, start), undefined);
    expect(series).toHaveLength(1);
    const late = gatewayStatsFixture(0, start + WINDOW_MS + 1000);
    expect(addSample(series, late, undefined).map((sample) => sample.at)).toEqual([
      Date.parse(late.at),
    ]);
  });
});

describe('live event buffer', () => {
  it('keeps the newest first, bounded, each (room, id) once', () => {
    let events = addEvent([], event('dealership:d1', 'a'));
    events = addEvent(events, event('dealership:d1', 'a'));
    events = addEvent(events, event('sandbox:s1', 'a'));
    expect(events.map((item) => item.meta.room)).toEqual(['sandbox:s1', 'dealership:d1']);
    for (let i = 0; i < EVENT_BUFFER_LIMIT + 10; i += 1)
      events = addEvent(events, event('r', `${i}`));
    expect(events).toHaveLength(EVENT_BUFFER_LIMIT);
    expect(events[0]?.meta.id).toBe(`${EVENT_BUFFER_LIMIT + 9}`);
  });

  it('filters by a part of the event type, case-insensitively', () => {
    expect(matchesFilter(event('r', '1', 'sandbox.paused'), 'PAUSED')).toBe(true);
    expect(matchesFilter(event('r', '1', 'flag.toggled'), 'sandbox')).toBe(false);
    expect(matchesFilter(event('r', '1', 'flag.toggled'), '  ')).toBe(true);
  });
});
