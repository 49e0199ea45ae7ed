import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { ADMIN_ROOM, GLOBAL_ROOM, RoomName, parseRoom, roomKey } from '../src/index.js';

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

describe('room keys', () => {
  it('scopes rooms by tenant, except global and admin', () => {
    expect(roomKey('d1', 'project:1')).not.toBe(roomKey('d2', 'project:1'));
    expect(roomKey('d1', 'project:1')).toBe('d:d1:project:1');
    expect(roomKey('d1', GLOBAL_ROOM)).toBe('global');
    expect(roomKey('d2', ADMIN_ROOM)).toBe('admin');
  });

  it('encodes a user id so that no sub reaches into another tenant or hash tag', () => {
    // User `user:x` of A and user `x` of dealership `A:user` are different rooms.
    expect(roomKey('A', 'user:user:x')).not.toBe(roomKey('A:user', 'user:x'));
    expect(roomKey('A', 'user:u1')).toBe('d:A:user:u1');
    expect(roomKey('A', 'user:a}b{c')).toBe('d:A:user:a%7Db%7Bc');
  });
});
