import { constants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type TProperties, Type } from '@sinclair/typebox';
import type { ExecResult } from '../drivers/sandbox-driver.js';
import {
  assertDirectoryInside,
  assertRelativeInside,
  resolveInside,
  traversalError,
} from './sandbox-path.js';
import { type ToolContext, type ToolDefinition, type ToolOutcome, defineTool } from './tool.js';

/** A tool's input: exactly these fields, so a typo in a field name is an error, not ignored. */
const inputOf = <T extends TProperties>(fields: T) =>
  Type.Object(fields, { additionalProperties: false });

const PathInput = Type.String({
  minLength: 1,
  maxLength: 1024,
  description: 'relative to the sandbox directory',
});

function processOutcome(result: ExecResult): ToolOutcome {
  const output = {
    exitCode: result.exitCode,
    signal: result.signal,
    stdout: result.stdout,
    stderr: result.stderr,
    truncated: result.truncated,
  };
  if (result.timedOut) return { ok: false, error: 'time limit exceeded', output };
  if (result.failure) return { ok: false, error: result.failure, output };
  if (result.exitCode !== 0)
    return { ok: false, error: `exited with ${result.exitCode ?? result.signal}`, output };
  return { ok: true, output };
}

const runProcess = (context: ToolContext, command: string, args: string[]) =>
  context.driver.exec(context.sandboxId, {
    executionId: context.executionId,
    command,
    args,
    timeoutMs: context.timeoutMs,
    maxOutputBytes: context.maxOutputBytes,
    onSpawn: context.onSpawn,
    network: context.network === true,
  });

const echoTool = defineTool({
  name: 'echo',
  description: 'Returns its input; useful to check the pipeline end to end.',
  input: inputOf({ message: Type.String({ maxLength: 65_536 }) }),
  run: async (_context, input) => ({ ok: true, output: { message: input.message } }),
});

/**
 * A single `sleep 30` sleeps until a fixed deadline: frozen for a minute, it would end the moment
 * it thaws. Sleeping in 100 ms steps makes a paused sleep resume where it stopped (a thaw loses
 * at most the step that was interrupted).
 */
const SLEEP_STEPS = 'n=$1; while [ "$n" -gt 0 ]; do sleep 0.1; n=$((n-1)); done; exec sleep "$2"';

const sleepTool = defineTool({
  name: 'sleep',
  description: 'Sleeps in a child process of the sandbox (freezes while paused, then carries on).',
  input: inputOf({ ms: Type.Integer({ minimum: 0, maximum: 3_600_000 }) }),
  run: async (context, input) =>
    processOutcome(
      await runProcess(context, '/bin/sh', [
        '-c',
        SLEEP_STEPS,
        'sleep',
        String(Math.floor(input.ms / 100)),
        ((input.ms % 100) / 1000).toFixed(3),
      ]),
    ),
});

const execTool = defineTool({
  name: 'exec',
  description: 'Runs a shell command in the sandbox directory (only when SANDBOX_ALLOW_EXEC=true).',
  input: inputOf({ command: Type.String({ minLength: 1, maxLength: 65_536 }) }),
  requiresExec: true,
  run: async (context, input) =>
    processOutcome(await runProcess(context, '/bin/sh', ['-c', input.command])),
});

const writeFileTool = defineTool({
  name: 'write_file',
  description: 'Writes a UTF-8 file inside the sandbox directory.',
  input: inputOf({ path: PathInput, content: Type.String({ maxLength: 524_288 }) }),
  validate: (input) => assertRelativeInside(input.path),
  run: async (context, input) => {
    const dir = context.driver.directory(context.sandboxId);
    await mkdir(dir, { recursive: true });
    const target = await resolveInside(dir, input.path, false);
    await mkdir(dirname(target), { recursive: true });
    // A symlink planted meanwhile (by a running exec) must not redirect the write either:
    // the directory is checked again and the file itself is never followed if it is a link.
    await assertDirectoryInside(dir, dirname(target), input.path);
    const handle = await open(
      target,
      constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
    ).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ELOOP' ? traversalError(input.path) : error;
    });
    try {
      await handle.writeFile(input.content, 'utf8');
    } finally {
      await handle.close();
    }
    await context.driver.claim?.(context.sandboxId, target);
    return { ok: true, output: { path: input.path, bytes: Buffer.byteLength(input.content) } };
  },
});

const readFileTool = defineTool({
  name: 'read_file',
  description: 'Reads a UTF-8 file inside the sandbox directory (bounded by the output limit).',
  input: inputOf({ path: PathInput }),
  validate: (input) => assertRelativeInside(input.path),
  run: async (context, input) => {
    let target: string;
    try {
      target = await resolveInside(context.driver.directory(context.sandboxId), input.path, true);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return { ok: false, error: `no such file: ${input.path}` };
      throw error;
    }
    // Read only what may be returned: a huge file must not be loaded whole into the worker.
    const handle = await open(target, 'r');
    try {
      const size = (await handle.stat()).size;
      const buffer = Buffer.alloc(Math.min(size, context.maxOutputBytes));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      return {
        ok: true,
        output: {
          path: input.path,
          content: buffer.subarray(0, bytesRead).toString('utf8'),
          bytes: size,
          truncated: size > context.maxOutputBytes,
        },
      };
    } finally {
      await handle.close();
    }
  },
});

export const builtinTools: ToolDefinition[] = [
  echoTool,
  sleepTool,
  execTool,
  writeFileTool,
  readFileTool,
] as unknown as ToolDefinition[];
