import { describe, expect, it } from 'vitest';
import { decideRoomAccess, decideSandboxAccess } from './room-acl.js';

const userA = { sub: 'u1', dealershipId: 'A', role: 'user' as const };
const agentA = { sub: 'ag1', dealershipId: 'A', role: 'agent' as const };
const adminA = { sub: 'root', dealershipId: 'A', role: 'admin' as const };

describe('decideRoomAccess', () => {
  const table = [
    { who: userA, room: 'global', expected: { kind: 'allow', scope: 'A' } },
    { who: userA, room: 'admin', expected: { kind: 'deny' } },
    { who: agentA, room: 'admin', expected: { kind: 'deny' } },
    { who: adminA, room: 'admin', expected: { kind: 'allow' } },
    { who: userA, room: 'user:u1', expected: { kind: 'allow', scope: 'A' } },
    { who: userA, room: 'user:u2', expected: { kind: 'deny' } },
    { who: agentA, room: 'user:u1', expected: { kind: 'deny' } },
    { who: adminA, room: 'user:u2', expected: { kind: 'allow', scope: 'A' } },
    { who: userA, room: 'dealership:A', expected: { kind: 'allow', scope: 'A' } },
    { who: userA, room: 'dealership:B', expected: { kind: 'deny' } },
    { who: adminA, room: 'dealership:B', expected: { kind: 'allow', scope: 'B' } },
    { who: userA, room: 'project:1', expected: { kind: 'allow', scope: 'A' } },
    { who: agentA, room: 'agent:x', expected: { kind: 'allow', scope: 'A' } },
    { who: userA, room: 'sandbox:s1', expected: { kind: 'check-sandbox', sandboxId: 's1' } },
    { who: userA, room: 'nonsense', expected: { kind: 'deny' } },
    { who: userA, room: 'project:', expected: { kind: 'deny' } },
    { who: userA, room: 'project:a b', expected: { kind: 'deny' } },
  ];
  it.each(table)('$who.role of $who.dealershipId -> $room', ({ who, room, expected }) => {
    expect(decideRoomAccess(who, room)).toMatchObject(expected);
  });
});

describe('decideSandboxAccess', () => {
  const table = [
    { who: userA, owner: 'A', expected: { kind: 'allow', scope: 'A' } },
    { who: userA, owner: 'B', expected: { kind: 'deny' } },
    { who: userA, owner: null, expected: { kind: 'deny' } },
    { who: adminA, owner: 'B', expected: { kind: 'allow', scope: 'B' } },
    { who: adminA, owner: null, expected: { kind: 'deny' } },
  ];
  it.each(table)('$who.role of A, sandbox owned by $owner', ({ who, owner, expected }) => {
    expect(decideSandboxAccess(who, owner)).toMatchObject(expected);
  });
});
