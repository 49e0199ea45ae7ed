import { describe, expect, it } from 'vitest';
import { sourceAddress } from '../proc/source-address.js';
import { dealClients } from './connect-clients.js';
import type { FanoutTarget } from './fanout-target.js';

const target = {
  endpoints: ['ws://a', 'ws://b', 'ws://c'],
  tokenFor: (i: number) => `token-${i}`,
} as Pick<FanoutTarget, 'endpoints' | 'tokenFor'> as FanoutTarget;

describe('dealClients', () => {
  it('deals clients round-robin over workers and endpoints, each with its rooms, address and token', () => {
    const specs = dealClients(target, 5, 2, (i) => [`room-${i % 2}`]);
    expect(specs.map((worker) => worker.length)).toEqual([3, 2]);
    expect(specs[0]![1]).toEqual({
      url: 'ws://c',
      rooms: ['room-0'],
      localAddress: sourceAddress(2),
      token: 'token-2',
    });
    expect(specs[1]!.map((spec) => spec.url)).toEqual(['ws://b', 'ws://a']);
  });

  it('sends no token when the target needs none', () => {
    const open = { ...target, tokenFor: undefined } as unknown as FanoutTarget;
    expect(dealClients(open, 1, 1, () => [])[0]![0]).not.toHaveProperty('token');
  });
});
