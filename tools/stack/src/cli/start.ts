#!/usr/bin/env node
// The dev topology (`npm start`): Redis, HAProxy and every service instance, until Ctrl-C.
// `--smoke` (or STACK_SMOKE=1) starts it, checks it is ready, prints, and stops: for CI.
import { formatBanner } from '../banner.js';
import { type RunningStack, startStack } from '../stack.js';

const smoke =
  process.argv.includes('--smoke') || ['1', 'true'].includes(process.env['STACK_SMOKE'] ?? '');

let stack: RunningStack | undefined;
let stopping = false;

async function shutdown(reason: string, code: number): Promise<never> {
  if (stopping) process.exit(code);
  stopping = true;
  console.log(`[stack] ${reason}: draining and stopping`);
  try {
    await stack?.stop();
  } catch (error) {
    console.error(`[stack] stop failed: ${(error as Error).message}`);
    process.exit(1);
  }
  console.log('[stack] stopped');
  process.exit(code);
}

// A second Ctrl-C while draining exits at once (children are SIGKILLed on exit). One Ctrl-C
// under `npm start` arrives twice (from the terminal and forwarded by npm): a repeat within a
// second is that same press.
let firstSignalAt = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping && Date.now() - firstSignalAt < 1000) return;
    if (stopping) {
      console.log(`[stack] ${signal} again: killing everything`);
      process.exit(130);
    }
    firstSignalAt = Date.now();
    // shutdown() ends the process itself, on failure too.
    void shutdown(signal, 0);
  });
}

try {
  stack = await startStack();
} catch (error) {
  console.error(`[stack] failed to start: ${(error as Error).message}`);
  process.exit(1);
}
console.log(formatBanner(stack));
if (smoke) await shutdown('smoke check passed', 0);
else {
  for (const instance of stack.instances) {
    // `exit` resolves with the code and never rejects.
    void instance.process.exit.then((code) => {
      if (!stopping)
        console.error(`[stack] ${instance.name} exited (${code}); the rest keeps running`);
    });
  }
}
