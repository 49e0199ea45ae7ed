import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RedisClient } from './create-redis.js';

type Arg = string | number;

/** A loaded Lua script, called like a function: its keys, then its arguments. */
export type RedisScript<Reply> = (
  redis: RedisClient,
  keys: readonly string[],
  args?: readonly Arg[],
) => Promise<Reply>;

const NAME = /^([a-z][a-z0-9-]*)-(\d+)\.lua$/;
const INCLUDE = /^--- @include "([^"]+)"$/gm;

/** The script's text with each `--- @include "<path>"` line replaced by that file (relative to the including one). */
function readScript(file: URL, seen: readonly string[] = []): string {
  if (seen.includes(file.href))
    throw new Error(`Lua script ${basename(fileURLToPath(file))} includes itself`);
  return readFileSync(file, 'utf8').replace(INCLUDE, (_line, path: string) =>
    readScript(new URL(path, file), [...seen, file.href]).trimEnd(),
  );
}

/**
 * Loads a Lua script named `<name>-<numberOfKeys>.lua` (BullMQ's convention: the file name says
 * how many of the call's values are keys, so a call cannot pass them wrongly). A line
 * `--- @include "includes/<file>.lua"` inlines a part several scripts share, as BullMQ's
 * includes do (Lua in Redis has no modules). The script is registered on a client the first
 * time it is called there (EVALSHA with a fallback to EVAL, on a single node and on Cluster alike). `decode` maps the raw reply to the caller's type in
 * one place, including turning a script's refusal into an error.
 */
export function defineScript<Reply = unknown>(
  file: URL,
  decode: (reply: unknown) => Reply = (reply) => reply as Reply,
): RedisScript<Reply> {
  const fileName = basename(fileURLToPath(file));
  const match = NAME.exec(fileName);
  if (!match) throw new Error(`Lua script ${fileName} must be named <name>-<numberOfKeys>.lua`);
  const numberOfKeys = Number(match[2]);
  const command = `sb_${match[1]!.replaceAll('-', '_')}_${numberOfKeys}`;
  const lua = readScript(file);
  return async (redis, keys, args = []) => {
    if (keys.length !== numberOfKeys)
      throw new Error(`${fileName} takes ${numberOfKeys} keys, got ${keys.length}`);
    const client = redis as unknown as Record<
      string,
      ((...values: Arg[]) => Promise<unknown>) | undefined
    >;
    if (!client[command]) {
      redis.defineCommand(command, { numberOfKeys, lua });
      // A Cluster client auto-pipelines, and ioredis mis-maps the replies of a pipeline whose
      // script had to be loaded first ("results[i] is not iterable"): the callers of that
      // pipeline never hear back. Scripts therefore go out on their own.
      redis.options.autoPipeliningIgnoredCommands?.push(command);
    }
    return decode(await client[command]!(...keys, ...args));
  };
}
