import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, normalize, relative, resolve, sep } from 'node:path';
import { AppError, ErrorCode } from '@switchboard/errors';

/** 400 for a path that leaves the sandbox directory. */
export function traversalError(path: string): AppError {
  return new AppError(
    ErrorCode.VALIDATION_ERROR,
    'The path must stay inside the sandbox directory.',
    {
      location: 'body',
      fields: [
        { path: '/input/path', message: `"${path.slice(0, 200)}" leaves the sandbox directory` },
      ],
    },
  );
}

/** Refuses absolute paths and `..` escapes by looking at the path alone (the API does this before queueing). */
export function assertRelativeInside(path: string): void {
  const normalized = normalize(path);
  if (
    isAbsolute(path) ||
    normalized === '..' ||
    normalized.startsWith(`..${sep}`) ||
    path.includes('\0')
  )
    throw traversalError(path);
}

const inside = (root: string, target: string) => {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/**
 * The real location of `path` in the sandbox, refusing symlinks that lead outside it. For a path
 * that need not exist yet (a file to write, with directories to create), the nearest existing
 * ancestor is resolved: `link/new-dir/file` with `link -> /` is refused before anything is made.
 */
export async function resolveInside(
  sandboxDir: string,
  path: string,
  mustExist: boolean,
): Promise<string> {
  assertRelativeInside(path);
  const root = await realpath(sandboxDir);
  const target = resolve(root, path);
  let existing = mustExist ? target : dirname(target);
  for (;;) {
    const real = await realpath(existing).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' && !mustExist && existing !== root) return undefined;
      throw error;
    });
    if (real === undefined) {
      existing = dirname(existing);
      continue;
    }
    if (!inside(root, real)) throw traversalError(path);
    return resolve(real, relative(existing, target));
  }
}

/** Checks, after directories were created, that a write target's directory is still inside. */
export async function assertDirectoryInside(
  sandboxDir: string,
  directory: string,
  path: string,
): Promise<void> {
  if (!inside(await realpath(sandboxDir), await realpath(directory))) throw traversalError(path);
}
