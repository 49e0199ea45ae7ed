import { describe, expect, it } from 'vitest';
import { FLAGS, staticFlagReader } from '../src/index.js';

describe('staticFlagReader', () => {
  it('answers configured values and the fallback for others', () => {
    const reader = staticFlagReader({ [FLAGS.SANDBOX_PAUSE_RESUME]: false });
    expect(reader.isEnabled(FLAGS.SANDBOX_PAUSE_RESUME)).toBe(false);
    expect(reader.isEnabled(FLAGS.REDIS_WEBSOCKET_SCALING)).toBe(true);
    expect(staticFlagReader({}, false).isEnabled('ANY')).toBe(false);
  });
});
