import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import {
  EventCatalog,
  eventProblem,
  eventTypes,
  isEventType,
  parseRoom,
  rooms,
} from '../src/index.js';

const seedTypes = [
  'project.updated',
  'project.deleted',
  'agent.status_changed',
  'agent.connected',
  'agent.disconnected',
  'workflow.started',
  'workflow.progress',
  'workflow.completed',
  'workflow.failed',
  'pr.created',
  'pr.updated',
  'pr.closed',
  'issue.created',
  'issue.updated',
  'issue.closed',
  'ai.suggestion',
  'ai.analysis_complete',
  'connection.established',
  'connection.error',
];

describe('event catalog', () => {
  it('has every seed event type plus sandbox.* and flag.*', () => {
    expect(eventTypes).toEqual(expect.arrayContaining(seedTypes));
    expect(eventTypes.filter((t) => t.startsWith('sandbox.'))).toHaveLength(8);
    expect(eventTypes.filter((t) => t.startsWith('flag.')).length).toBeGreaterThanOrEqual(4);
  });

  it('validates event data against its schema', () => {
    const paused = {
      sandboxId: 's1',
      dealershipId: 'd1',
      state: 'paused',
      source: 'api',
      at: new Date().toISOString(),
    };
    expect(Value.Check(EventCatalog['sandbox.paused'], paused)).toBe(true);
    expect(Value.Check(EventCatalog['sandbox.paused'], { sandboxId: 's1' })).toBe(false);
    expect(Value.Check(EventCatalog['workflow.progress'], { workflowId: 'w', progress: 140 })).toBe(
      false,
    );
  });

  it('knows its own types only', () => {
    expect(isEventType('sandbox.paused')).toBe(true);
    expect(isEventType('sandbox.exploded')).toBe(false);
  });
});

describe('rooms', () => {
  it.each([
    [rooms.global(), { kind: 'global', id: undefined }],
    [rooms.sandbox('sb_1'), { kind: 'sandbox', id: 'sb_1' }],
    [rooms.user('u-9'), { kind: 'user', id: 'u-9' }],
  ])('parses %s', (room, parsed) => {
    expect(parseRoom(room)).toEqual(parsed);
  });

  it.each(['', 'global:x', 'tenant:1', 'project:', 'project:a b', 'project:../x'])(
    'rejects %j',
    (room) => {
      expect(parseRoom(room)).toBeUndefined();
    },
  );
});

describe('eventProblem', () => {
  const valid = {
    room: 'sandbox:s1',
    dealershipId: 'd1',
    event: 'workflow.progress',
    data: { workflowId: 'w', progress: 40 },
  };

  it('accepts an event that matches the catalogue', () => {
    expect(eventProblem(valid)).toBeUndefined();
  });

  it.each([
    ['an unknown type', { event: 'sandbox.exploded' }, /not an event type/],
    [
      'data of the wrong shape',
      { data: { workflowId: 'w', progress: 140 } },
      /workflow\.progress does not match its schema: \/progress/,
    ],
    ['data missing a required field', { data: { progress: 1 } }, /\/workflowId/],
    ['a room that is not a room name', { room: 'tenant:1' }, /not a room name/],
    ['no dealership', { dealershipId: '' }, /dealershipId is required/],
  ])('names %s', (_name, change, problem) => {
    expect(eventProblem({ ...valid, ...change })).toMatch(problem);
  });
});
