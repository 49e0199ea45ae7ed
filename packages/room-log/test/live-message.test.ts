import { EventFrame } from '@switchboard/protocol';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { toLiveMessage } from '../src/index.js';

describe('live messages', () => {
  const published = {
    seq: 4,
    epoch: 'e1',
    id: 'm1',
    room: 'global',
    dealershipId: 'A',
    event: 'project.updated',
    data: { projectId: 'p' },
    ts: 1,
  };

  it('carries the client frame as the wire protocol defines an event frame', () => {
    const message = toLiveMessage(JSON.stringify(published));
    const frame: unknown = JSON.parse(message!.frame.toString('utf8'));
    expect(Value.Check(EventFrame, frame)).toBe(true);
    expect(frame).toEqual({
      type: 'event',
      room: 'global',
      event: 'project.updated',
      id: 'm1',
      seq: 4,
      epoch: 'e1',
      ts: 1,
      data: { projectId: 'p' },
    });
  });

  it('skips a published message that is not JSON or not an event', () => {
    expect(toLiveMessage('not json')).toBeUndefined();
    expect(toLiveMessage(JSON.stringify({ ...published, seq: 'four' }))).toBeUndefined();
  });
});
