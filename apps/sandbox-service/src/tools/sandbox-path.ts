import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, normalize, relative, resolve, sep } from 'node:path';
import { AppError, ErrorCode } from '@switchboard/errors';

function traversal(path: string): AppError {
  return new AppError(ErrorCode.VALIDATION_ERROR, 'The path must stay inside the sandbox directory.', {
    location: 'body',
    fields: [{ path: '/input/path', message: `"${path.slice(0, 200)}" leaves the sandbox directory` }],
  });
}

/** Refuses absolute paths and `..` escapes by looking at the path alone (the API does this before queueing). */
export function assertRelativeInside(path: string): void {
  const normalized = normalize(path);
  if (isAbsolute(path) || normalized === '..' || normalized.startsWith(`..${sep}`) || path.includes('\0')) throw traversal(path);
}

const inside = (root: string, target: string) => {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** The real location of `path` in the sandbox, also refusing symlinks that point outside it. */
export async function resolveInside(sandboxDir: string, path: string, mustExist: boolean): Promise<string> {
  assertRelativeInside(path);
  const root = await realpath(sandboxDir);
  const target = resolve(root, path);
  const anchor = mustExist ? target : dirname(target);
  let real: string;
  try {
    real = await realpath(anchor);
  } catch (error) {
    if (!mustExist) return inside(root, target) ? target : Promise.reject(traversal(path));
    throw error;
  }
  if (!inside(root, real)) throw traversal(path);
  return mustExist ? real : resolve(real, relative(dirname(target), target));
}
