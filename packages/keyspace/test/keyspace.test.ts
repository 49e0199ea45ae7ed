import { describe, expect, it } from 'vitest';
import { roomKey } from '@switchboard/events';
import * as keyspaceModule from '../src/index.js';

const { createKeyspace } = keyspaceModule;

describe('keyspace', () => {
  const ks = createKeyspace('');

  it.each([
    [ks.sandbox.metadata('s1'), 'sandbox:metadata:{s1}'],
    [ks.sandbox.history('s1'), 'sandbox:history:{s1}'],
    [ks.realtime.broadcastChannel(), 'ws:broadcast'],
    [ks.realtime.directChannel('gw-1'), 'ws:direct:gw-1'],
    [ks.realtime.healthChannel(), 'ws:health'],
    [ks.realtime.migrationChannel(), 'ws:migration'],
    [ks.realtime.connection('c1'), 'ws:connection:{c1}'],
    [ks.realtime.instances(), 'ws:instances'],
    // SPEC's ws:queue:<dealershipId>:<userId>, tagged with the user room's key (one Cluster slot).
    [ks.realtime.offlineQueue('d1', 'u1'), 'ws:queue:{d:d1:user:u1}'],
    [ks.flags.changesChannel(), 'flags:changes'],
  ])('spells %s as in the contract', (actual, expected) => {
    expect(actual).toBe(expected);
  });

  it('prefixes every key, channel and the BullMQ prefix with KEY_PREFIX', () => {
    const prefixed = createKeyspace('t42:');
    expect(prefixed.sandbox.metadata('s1')).toBe('t42:sandbox:metadata:{s1}');
    expect(prefixed.realtime.broadcastChannel()).toBe('t42:ws:broadcast');
    expect(prefixed.flags.flag('F')).toBe('t42:{flags}:flag:F');
    expect(prefixed.queues.bullmqPrefix).toBe('t42:{bull}');
  });

  it('puts the keys one script touches in one Redis Cluster slot', () => {
    const tag = (key: string) => /\{([^}]+)\}/.exec(key)?.[1];
    expect(tag(ks.sandbox.metadata('abc'))).toBe(tag(ks.sandbox.history('abc')));
    expect(tag(ks.sandbox.metadata('abc'))).toBe(tag(ks.sandbox.executions('abc')));
    const room = roomKey('d1', 'project:7');
    expect(tag(ks.realtime.roomSeq(room))).toBe(tag(ks.realtime.roomHistory(room)));
    expect(tag(ks.realtime.roomSeq(room))).toBe(tag(ks.realtime.roomEpoch(room)));
    expect(tag(ks.realtime.connection('c1'))).toBe(tag(ks.realtime.subscriptions('c1')));
    const userRoom = roomKey('d1', 'user:u1');
    const userKeys = [
      ks.realtime.roomSeq(userRoom),
      ks.realtime.roomHistory(userRoom),
      ks.realtime.roomEpoch(userRoom),
      ks.realtime.userConnections('d1', 'u1'),
      ks.realtime.offlineQueue('d1', 'u1'),
    ];
    expect(new Set(userKeys.map(tag))).toEqual(new Set([userRoom]));
    const flagWrite = [
      ks.flags.flag('F'),
      ks.flags.index(),
      ks.flags.versions('F'),
      ks.flags.audit(),
      ks.flags.flagAudit('F'),
    ];
    expect(new Set(flagWrite.map(tag))).toEqual(new Set(['flags']));
  });

  it('keeps an encoded user id inside its hash tag', () => {
    const braces = roomKey('A', 'user:a}b{c');
    const tag = (key: string) => /\{([^}]+)\}/.exec(key)?.[1];
    expect(tag(ks.realtime.userConnections('A', 'a}b{c'))).toBe(braces);
    expect(tag(ks.realtime.roomSeq(braces))).toBe(braces);
  });

  it('leaves room identity to packages/events (one home, nothing re-exported)', () => {
    expect(Object.keys(keyspaceModule)).not.toEqual(expect.arrayContaining(['roomKey']));
    expect(Object.keys(keyspaceModule).filter((name) => /room/i.test(name))).toEqual([]);
  });
});
