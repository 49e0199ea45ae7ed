import { Value } from '@sinclair/typebox/value';
import { AppError, ErrorCode } from '@switchboard/errors';
import { builtinTools } from './builtin-tools.js';
import type { ToolDefinition } from './tool.js';

export type ToolRegistry = ReturnType<typeof createToolRegistry>;

/** Tools by name; `check` validates a request before it is queued, so workers only see valid input. */
export function createToolRegistry(options: { allowExec: boolean; tools?: ToolDefinition[] }) {
  const tools = new Map((options.tools ?? builtinTools).map((tool) => [tool.name, tool]));

  function check(name: string, input: unknown): ToolDefinition {
    const tool = tools.get(name);
    if (!tool) {
      throw new AppError(ErrorCode.VALIDATION_ERROR, `Unknown tool "${name.slice(0, 100)}".`, {
        location: 'body',
        fields: [{ path: '/tool', message: `must be one of ${[...tools.keys()].join(', ')}` }],
      });
    }
    if (tool.requiresExec && !options.allowExec) {
      throw new AppError(
        ErrorCode.FORBIDDEN,
        'The exec tool is disabled on this server (SANDBOX_ALLOW_EXEC=false).',
        { tool: name },
      );
    }
    if (!Value.Check(tool.input, input)) {
      const fields = [...Value.Errors(tool.input, input)]
        .slice(0, 20)
        .map((issue) => ({ path: `/input${issue.path}`, message: issue.message }));
      throw new AppError(
        ErrorCode.VALIDATION_ERROR,
        `The input does not match the ${name} tool's schema.`,
        { location: 'body', fields },
      );
    }
    tool.validate?.(input);
    return tool;
  }

  return { check, get: (name: string) => tools.get(name), names: () => [...tools.keys()] };
}
