import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createVerifier } from 'fast-jwt';
import { describe, expect, it } from 'vitest';

// The built CLI, as `pnpm token` runs it (turbo builds before testing).
const cli = fileURLToPath(new URL('../dist/cli/mint-token.js', import.meta.url));
const SECRET = 'cli-secret-that-is-long-enough';

function runCli(args: string[], env: Record<string, string> = { JWT_SECRET: SECRET }) {
  return spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', ...env },
  });
}

describe('token CLI', () => {
  it('mints a token with the given claims and ttl', () => {
    const result = runCli(['--sub', 'u1', '--dealership', 'd1', '--role', 'admin', '--ttl', '2h']);
    expect(result.status).toBe(0);
    const claims = createVerifier({ key: SECRET, algorithms: ['HS256'] })(result.stdout.trim());
    expect(claims).toMatchObject({ sub: 'u1', dealershipId: 'd1', role: 'admin' });
    expect(claims.exp - claims.iat).toBe(7200);
  });

  it('refuses an unknown role with one clear line', () => {
    const result = runCli(['--sub', 'u1', '--dealership', 'd1', '--role', 'root']);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('token: --role must be admin, user or agent');
  });
});
