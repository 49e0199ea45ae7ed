import { afterAll } from 'vitest';
import { stackLogs } from './stack-logs.js';

type TaskTree = { result?: { state?: string }; tasks?: readonly TaskTree[] };

const anyFailed = (task: TaskTree): boolean =>
  task.result?.state === 'fail' || (task.tasks ?? []).some(anyFailed);

// Stack processes log to a buffer, not to the test output; when a test of the file failed (a
// hook included), the buffered tail is what shows why: a process that exited, a Redis error.
afterAll((file) => {
  if (anyFailed(file as TaskTree))
    for (const [name, tail] of stackLogs) {
      const lines = tail.lines();
      process.stderr.write(
        `\n[${name}] the last ${lines.length} lines of the stack's output:\n${lines.join('\n')}\n`,
      );
    }
  stackLogs.clear();
});
