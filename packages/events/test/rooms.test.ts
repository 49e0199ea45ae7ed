import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { RoomName, parseRoom } from '../src/index.js';

describe('room names', () => {
  const table = [
    { room: 'global', parsed: { kind: 'global', id: undefined } },
    { room: 'admin', parsed: { kind: 'admin', id: undefined } },
    { room: 'admin:x', parsed: undefined },
    { room: 'user:u1', parsed: { kind: 'user', id: 'u1' } },
    { room: 'user:alice@example.com', parsed: { kind: 'user', id: 'alice@example.com' } },
    { room: 'user:team:alice', parsed: { kind: 'user', id: 'team:alice' } },
    { room: 'user:a/b%20c', parsed: { kind: 'user', id: 'a/b%20c' } },
    { room: 'project:1', parsed: { kind: 'project', id: '1' } },
    { room: 'project:a@b', parsed: undefined },
    { room: 'user:', parsed: undefined },
    { room: 'user:a\nb', parsed: undefined },
    { room: 'nonsense', parsed: undefined },
  ];
  it.each(table)('$room', ({ room, parsed }) => {
    expect(parseRoom(room)).toEqual(parsed);
    // The frame schema and the parser agree.
    expect(Value.Check(RoomName, room)).toBe(parsed !== undefined);
  });
});
