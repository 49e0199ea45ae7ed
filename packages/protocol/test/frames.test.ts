import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { ClientFrame, ServerFrame, clientFrameSchemas, clientFrameTypes } from '../src/index.js';

describe('wire protocol', () => {
  it('has one schema per client frame type, matching the union', () => {
    expect(clientFrameTypes.sort()).toEqual([
      'ack',
      'auth',
      'ping',
      'resume',
      'subscribe',
      'unsubscribe',
    ]);
    for (const type of clientFrameTypes)
      expect(clientFrameSchemas[type].properties.type.const).toBe(type);
  });

  it('accepts well-formed client frames and refuses unknown fields and bad room names', () => {
    expect(Value.Check(ClientFrame, { type: 'subscribe', room: 'project:p1' })).toBe(true);
    expect(
      Value.Check(ClientFrame, {
        type: 'resume',
        positions: { 'project:p1': 3 },
        epochs: { 'project:p1': 'e1' },
      }),
    ).toBe(true);
    expect(Value.Check(ClientFrame, { type: 'subscribe', room: 'project:p1', extra: true })).toBe(
      false,
    );
    expect(Value.Check(ClientFrame, { type: 'subscribe', room: 'no room' })).toBe(false);
    expect(Value.Check(ClientFrame, { type: 'ack', room: 'project:p1', seq: -1 })).toBe(false);
  });

  it('describes every server frame the gateway sends', () => {
    expect(
      Value.Check(ServerFrame, {
        type: 'connection.established',
        clientId: 'c',
        instanceId: 'i',
        heartbeatMs: 25_000,
        rooms: ['global'],
        positions: { global: { seq: 0, epoch: '' } },
      }),
    ).toBe(true);
    expect(
      Value.Check(ServerFrame, {
        type: 'resumed',
        room: 'project:p1',
        recovered: false,
        replayed: 0,
        seq: 9,
        epoch: 'e2',
      }),
    ).toBe(true);
    expect(
      Value.Check(ServerFrame, {
        type: 'event',
        room: 'global',
        event: 'x',
        id: 'm',
        seq: 1,
        epoch: 'e',
        ts: 1,
        data: null,
      }),
    ).toBe(true);
    expect(Value.Check(ServerFrame, { type: 'teleport' })).toBe(false);
  });
});
