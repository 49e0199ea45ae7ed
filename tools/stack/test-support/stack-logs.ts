import type { LogTail } from '../src/log-tail.js';

/** The log tails of the stacks this test file started, printed by the setup file if it fails. */
export const stackLogs = new Map<string, LogTail>();
