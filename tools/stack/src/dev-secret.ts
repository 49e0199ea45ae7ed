import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface AuthSettings {
  /** Variables to give every instance (the given ones, or the generated JWT_SECRET). */
  env: { JWT_SECRET?: string; JWT_PUBLIC_KEY?: string };
  /** The HS256 secret to mint dev tokens with, if there is one. */
  secret?: string;
  source: 'JWT_SECRET' | 'JWT_PUBLIC_KEY' | 'generated' | 'dev-secret-file';
}

/**
 * JWT_SECRET or JWT_PUBLIC_KEY from the environment win (SPEC.md, Configuration); only when
 * neither is set does the dev stack use `secretFile`, generating it (0600) the first time so
 * `pnpm token` and restarts keep working with the same secret.
 */
export function resolveAuth(env: NodeJS.ProcessEnv, secretFile: string): AuthSettings {
  const given = env['JWT_SECRET'];
  if (given) return { env: { JWT_SECRET: given }, secret: given, source: 'JWT_SECRET' };
  const publicKey = env['JWT_PUBLIC_KEY'];
  if (publicKey) return { env: { JWT_PUBLIC_KEY: publicKey }, source: 'JWT_PUBLIC_KEY' };
  if (existsSync(secretFile)) {
    const stored = readFileSync(secretFile, 'utf8').trim();
    if (stored.length >= 16)
      return { env: { JWT_SECRET: stored }, secret: stored, source: 'dev-secret-file' };
  }
  const secret = randomBytes(32).toString('base64url');
  mkdirSync(dirname(secretFile), { recursive: true });
  writeFileSync(secretFile, `${secret}\n`, { mode: 0o600 });
  return { env: { JWT_SECRET: secret }, secret, source: 'generated' };
}
