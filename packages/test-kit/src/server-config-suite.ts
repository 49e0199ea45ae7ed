import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * What every service's built entry point promises (SPEC.md, Configuration): a bad variable or a
 * missing JWT key stops it with exit 1 and one line naming the problem, never a stack trace.
 */
export function describeServerConfig(service: string, serverEntry: URL): void {
  const server = fileURLToPath(serverEntry);
  const start = (env: Record<string, string>) =>
    spawnSync(process.execPath, [server], {
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '', ...env },
      timeout: 15_000,
    });

  describe(`${service} server configuration`, () => {
    it('exits 1 with one clear line on a bad variable', () => {
      const result = start({ PORT: 'eighty', JWT_SECRET: 'long-enough-secret-value' });
      expect(result.status).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain('PORT');
    });

    it('exits 1 with one line naming KEY_PREFIX when it would break the Cluster hash tags', () => {
      const result = start({
        PORT: '0',
        JWT_SECRET: 'long-enough-secret-value',
        KEY_PREFIX: '{stack}:',
      });
      expect(result.status).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain('KEY_PREFIX');
    });

    it('refuses to start without JWT_SECRET or JWT_PUBLIC_KEY', () => {
      const result = start({ PORT: '0' });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('JWT_SECRET');
    });
  });
}
