import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { BaseEnv, ConfigError, loadConfig } from '../src/index.js';

const AppEnv = Type.Composite([
  BaseEnv,
  Type.Object({
    PORT: Type.Integer({ default: 3001, minimum: 0, maximum: 65535 }),
    FEATURE_ON: Type.Boolean({ default: true }),
  }),
]);

describe('loadConfig', () => {
  it('applies the defaults of SPEC.md', () => {
    const config = loadConfig(AppEnv, {});
    expect(config).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:6379',
      HOST: '0.0.0.0',
      PORT: 3001,
      LOG_LEVEL: 'info',
      FEATURE_ON: true,
    });
  });

  it('converts numbers and booleans from strings', () => {
    const config = loadConfig(AppEnv, { PORT: '4000', FEATURE_ON: 'false' });
    expect(config.PORT).toBe(4000);
    expect(config.FEATURE_ON).toBe(false);
  });

  it('rejects bad values naming each variable', () => {
    try {
      loadConfig(AppEnv, { PORT: 'eighty', REDIS_URL: 'http://nope', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect(message).toContain('PORT');
      expect(message).toContain('REDIS_URL');
      expect(message).toContain('LOG_LEVEL');
    }
  });

  it('repeats a bad value, but never that of a secret, key or URL', () => {
    const SecretEnv = Type.Object({
      JWT_SECRET: Type.String({ minLength: 32 }),
      PORT: Type.Integer(),
    });
    const message = (() => {
      try {
        loadConfig(SecretEnv, { JWT_SECRET: 'short-but-secret', PORT: 'eighty' });
      } catch (error) {
        return (error as ConfigError).message;
      }
      return '';
    })();
    expect(message).toContain('JWT_SECRET');
    expect(message).not.toContain('short-but-secret');
    expect(message).toContain('(got "eighty")');
  });

  it('accepts a Redis Cluster URL', () => {
    expect(
      loadConfig(AppEnv, { REDIS_URL: 'redis+cluster://10.0.0.1:7000,10.0.0.2:7000' }).REDIS_URL,
    ).toContain('cluster');
  });

  it('takes a KEY_PREFIX of plain characters and rejects one with a hash-tag brace or a space', () => {
    expect(loadConfig(AppEnv, { KEY_PREFIX: 'stack-1:' }).KEY_PREFIX).toBe('stack-1:');
    expect(loadConfig(AppEnv, {}).KEY_PREFIX).toBe('');
    for (const bad of ['{t}:', 'a b']) {
      expect(() => loadConfig(AppEnv, { KEY_PREFIX: bad })).toThrow(/KEY_PREFIX/);
    }
  });
});
