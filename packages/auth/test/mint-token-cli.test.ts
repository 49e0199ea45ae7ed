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
    expect(result.stderr.trim()).toBe('token: --role must be admin, user, agent or service');
  });
});

describe('token CLI: service tokens', () => {
  it('mints a scoped service token with a jti it prints to stderr', () => {
    const result = runCli([
      '--role',
      'service',
      '--dealership',
      'd1',
      '--scope',
      'publish,history',
      '--ttl',
      '30d',
    ]);
    expect(result.status).toBe(0);
    const claims = createVerifier({ key: SECRET, algorithms: ['HS256'] })(result.stdout.trim());
    expect(claims).toMatchObject({
      role: 'service',
      dealershipId: 'd1',
      scope: ['publish', 'history'],
    });
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.stderr).toContain(`pnpm token revoke ${claims.jti}`);
    expect(claims.exp - claims.iat).toBe(30 * 86_400);
  });

  it('refuses a service token without a scope, and an unknown scope', () => {
    expect(runCli(['--role', 'service', '--dealership', 'd1']).stderr).toContain(
      '--scope is required',
    );
    expect(
      runCli(['--role', 'service', '--dealership', 'd1', '--scope', 'publish,root']).stderr,
    ).toContain('--scope must be a list of');
  });

  it('gives long-lived user tokens a jti too', () => {
    const result = runCli(['--sub', 'u1', '--dealership', 'd1', '--ttl', '7d']);
    const claims = createVerifier({ key: SECRET, algorithms: ['HS256'] })(result.stdout.trim());
    expect(claims.jti).toBeDefined();
  });
});
