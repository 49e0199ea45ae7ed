import type { Static, TSchema } from '@sinclair/typebox';
import type { SandboxDriver } from '../drivers/sandbox-driver.js';

export interface ToolContext {
  driver: SandboxDriver;
  sandboxId: string;
  executionId: string;
  timeoutMs: number;
  maxOutputBytes: number;
  /** The sandbox's settings ask for network access. */
  network?: boolean;
  onSpawn: () => Promise<void>;
}

export type ToolOutcome =
  { ok: true; output: unknown } | { ok: false; error: string; output?: unknown };

/** A tool an agent can run in a sandbox; `input` is checked at the API before anything is queued. */
export interface ToolDefinition<S extends TSchema = TSchema> {
  name: string;
  description: string;
  input: S;
  /** Only when SANDBOX_ALLOW_EXEC=true. */
  requiresExec?: boolean;
  /** Extra checks beyond the schema (e.g. path confinement); throw AppError(VALIDATION_ERROR). */
  validate?: (input: Static<S>) => void;
  run(context: ToolContext, input: Static<S>): Promise<ToolOutcome>;
}

export function defineTool<S extends TSchema>(tool: ToolDefinition<S>): ToolDefinition<S> {
  return tool;
}
