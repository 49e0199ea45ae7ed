import { describe, expect, it } from 'vitest';
import type { LiveMessage } from '@switchboard/room-log';
import { ReplayHold } from './replay-hold.js';

const message = (seq: number) => ({ id: `m${seq}`, seq }) as LiveMessage;
const seqs = (messages: LiveMessage[]) => messages.map((m) => m.seq);

function handOver(hold: ReplayHold): LiveMessage[] {
  const delivered: LiveMessage[] = [];
  hold.handOver((m) => delivered.push(m));
  return delivered;
}

describe('ReplayHold', () => {
  it('holds live messages of a new membership and hands them over in arrival order', () => {
    const hold = new ReplayHold();
    expect([hold.offer(message(2)), hold.offer(message(1)), hold.offer(message(3))]).toEqual([
      true,
      true,
      true,
    ]);
    expect(seqs(handOver(hold))).toEqual([2, 1, 3]);
  });

  it('lets messages through once handed over, and hands over nothing twice', () => {
    const hold = new ReplayHold();
    hold.offer(message(1));
    handOver(hold);
    expect(hold.isHolding).toBe(false);
    expect(hold.offer(message(2))).toBe(false);
    expect(handOver(hold)).toEqual([]);
  });

  it('holds again after going live when asked, keeping what it already holds', () => {
    const hold = new ReplayHold();
    hold.offer(message(1));
    hold.holdAgain();
    expect(seqs(handOver(hold))).toEqual([1]);
    hold.holdAgain();
    expect(hold.offer(message(5))).toBe(true);
    expect(seqs(handOver(hold))).toEqual([5]);
  });

  it('puts queued messages ahead of held live ones, also on a membership that had gone live', () => {
    const held = new ReplayHold();
    held.offer(message(9));
    held.holdFirst([message(7), message(8)]);
    expect(seqs(handOver(held))).toEqual([7, 8, 9]);

    const live = new ReplayHold();
    handOver(live);
    live.holdFirst([message(4)]);
    expect(live.isHolding).toBe(true);
    expect(seqs(handOver(live))).toEqual([4]);
  });
});
