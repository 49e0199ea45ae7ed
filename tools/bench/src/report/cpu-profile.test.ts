import { describe, expect, it } from 'vitest';
import { hottestFunctions } from './cpu-profile.js';

describe('hottestFunctions', () => {
  it('ranks frames by self samples and shortens paths', () => {
    const profile = {
      startTime: 0,
      endTime: 1,
      nodes: [
        { id: 1, hitCount: 0, callFrame: { functionName: '(root)', url: '', lineNumber: -1 } },
        { id: 6, hitCount: 50, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
        {
          id: 2,
          hitCount: 6,
          callFrame: {
            functionName: 'send',
            url: 'file:///w/node_modules/.pnpm/ws@8.23.0/node_modules/ws/lib/sender.js',
            lineNumber: 9,
          },
        },
        {
          id: 3,
          hitCount: 3,
          callFrame: {
            functionName: '',
            url: 'file:///w/apps/realtime-gateway/dist/fanout/room-hub.js',
            lineNumber: 41,
          },
        },
        {
          id: 4,
          hitCount: 1,
          callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 },
        },
        {
          id: 5,
          hitCount: 2,
          callFrame: {
            functionName: 'send',
            url: 'file:///w/node_modules/.pnpm/ws@8.23.0/node_modules/ws/lib/sender.js',
            lineNumber: 9,
          },
        },
      ],
    };
    expect(hottestFunctions(profile)).toEqual([
      { frame: 'send (ws/lib/sender.js:10)', selfPct: 66.7 },
      { frame: '(anonymous) (apps/realtime-gateway/dist/fanout/room-hub.js:42)', selfPct: 25 },
      { frame: '(garbage collector)', selfPct: 8.3 },
    ]);
  });
});
