/** The last `limit` lines of a stack's output, kept so a failing test can show them. */
export interface LogTail {
  push(line: string): void;
  lines(): string[];
}

export function createLogTail(limit = 400): LogTail {
  const kept: string[] = [];
  return {
    push(line) {
      kept.push(line);
      if (kept.length > limit) kept.splice(0, kept.length - limit);
    },
    lines: () => [...kept],
  };
}
