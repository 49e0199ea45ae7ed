import { Type } from '@sinclair/typebox';
import { BaseEnv, ProtectionEnv, loadConfig } from '@switchboard/config';
import { createKeyspace } from '@switchboard/keyspace';
import { type RedisServer, startRedis } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformApp } from '../src/index.js';
import { platformAppOptionsFrom } from '../src/platform-app.js';

const SECRET = 'platform-app-secret-long-enough';

describe('createPlatformApp', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.cleanup();
  });

  it('serves health, docs and metrics under the service, docs and instance it is given', async () => {
    const app = await createPlatformApp(
      { service: 'kit-app', instanceId: 'kit-1', docs: { title: 'Kit app', description: 'D' } },
      {
        redisUrl: redis.url,
        auth: { secret: SECRET },
        logLevel: 'silent',
        keyspace: createKeyspace(''),
        http: { corsOrigins: ['https://console.example.com'] },
      },
    );
    try {
      expect((await app.inject('/health/live')).statusCode).toBe(200);
      expect((await app.inject('/docs/json')).json().info).toMatchObject({
        title: 'Kit app',
        description: 'D',
      });
      const metrics = (await app.inject('/metrics')).body;
      expect(metrics).toContain('service="kit-app"');
      expect(metrics).toContain('instance="kit-1"');
      const preflight = await app.inject({
        method: 'OPTIONS',
        url: '/health/live',
        headers: {
          origin: 'https://console.example.com',
          'access-control-request-method': 'GET',
        },
      });
      expect(preflight.headers['access-control-allow-origin']).toBe('https://console.example.com');
    } finally {
      await app.close();
    }
  });
});

describe('platformAppOptionsFrom', () => {
  it('reads Redis, keyspace, auth, log level, HTTP edge and protection from the config', () => {
    const config = loadConfig(Type.Composite([BaseEnv, ProtectionEnv]), {
      REDIS_URL: 'redis://127.0.0.1:6390',
      JWT_SECRET: SECRET,
      KEY_PREFIX: 'stage:',
      LOG_LEVEL: 'warn',
      CORS_ORIGINS: 'https://a.example.com, https://b.example.com',
      HTTP_RATE_LIMIT_ENABLED: 'false',
    });
    const options = platformAppOptionsFrom('kit-app', config);
    expect(options.redisUrl).toBe('redis://127.0.0.1:6390');
    expect(options.keyspace.prefix).toBe('stage:');
    expect(options.auth).toMatchObject({ secret: SECRET });
    expect(options.logLevel).toBe('warn');
    expect(options.http?.corsOrigins).toEqual(['https://a.example.com', 'https://b.example.com']);
    expect(options.protection?.HTTP_RATE_LIMIT_ENABLED).toBe(false);
  });
});
