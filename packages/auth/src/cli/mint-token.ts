#!/usr/bin/env node
// Mints a dev token: pnpm token --sub u1 --dealership d1 --role admin [--ttl 1h]
// A service token: pnpm token --role service --dealership d1 --scope publish,history --ttl 30d
// Revokes one: pnpm token revoke <jti> (REDIS_URL, KEY_PREFIX as the services use them)
// Signs with JWT_SECRET, or with the secret the dev stack (`npm start`) generated.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ttlToMs, mintToken } from '../mint-token.js';
import { type RoleName, SERVICE_SCOPES, type ServiceScopeName } from '../principal.js';
import { revokeFromCli } from './revoke.js';

const DEV_SECRET_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  '..',
  '.switchboard',
  'jwt-secret',
);

/** Tokens living longer than this get a jti, so they can be revoked. */
const LONG_LIVED_MS = 24 * 3_600_000;

function fail(message: string): never {
  console.error(`token: ${message}`);
  process.exit(1);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    sub: { type: 'string' },
    dealership: { type: 'string' },
    role: { type: 'string', default: 'user' },
    ttl: { type: 'string', default: '1h' },
    scope: { type: 'string' },
    jti: { type: 'string' },
    until: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(
    [
      'usage: pnpm token --sub <id> --dealership <id> --role admin|user|agent [--ttl 1h]',
      '       pnpm token --role service --dealership <id>|"*" --scope publish,history,presence,disconnect [--sub <name>] [--ttl 30d]',
      '       pnpm token revoke <jti> [--until <ISO date>]   (REDIS_URL, KEY_PREFIX)',
    ].join('\n'),
  );
  process.exit(0);
}

if (positionals[0] === 'revoke') {
  const jti = positionals[1];
  if (!jti) fail('usage: pnpm token revoke <jti>');
  const until = values.until ? Date.parse(values.until) : undefined;
  if (until !== undefined && Number.isNaN(until)) fail('--until must be a date');
  try {
    await revokeFromCli(jti, {
      redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      keyPrefix: process.env['KEY_PREFIX'] ?? '',
      ...(until !== undefined ? { untilMs: until } : {}),
    });
    console.log(`revoked ${jti}`);
    process.exit(0);
  } catch (error) {
    fail((error as Error).message);
  }
}
if (positionals.length > 0) fail(`unknown command "${positionals[0]}"`);

const role = values.role ?? '';
if (!['admin', 'user', 'agent', 'service'].includes(role))
  fail('--role must be admin, user, agent or service');
const sub = values.sub ?? (role === 'service' ? `service-${randomUUID().slice(0, 8)}` : undefined);
if (!sub) fail('--sub is required');
if (!values.dealership) fail('--dealership is required');

let scope: ServiceScopeName[] | undefined;
if (role === 'service') {
  if (!values.scope) fail(`--scope is required for a service token (${SERVICE_SCOPES.join(',')})`);
  const parts = values.scope.split(',').map((part) => part.trim());
  const unknown = parts.filter((part) => !SERVICE_SCOPES.includes(part as ServiceScopeName));
  if (unknown.length > 0 || parts.length === 0)
    fail(`--scope must be a list of ${SERVICE_SCOPES.join(', ')}`);
  scope = [...new Set(parts)] as ServiceScopeName[];
} else if (values.scope) fail('--scope is for service tokens only');

const secret =
  process.env['JWT_SECRET'] ??
  (existsSync(DEV_SECRET_FILE) ? readFileSync(DEV_SECRET_FILE, 'utf8').trim() : undefined);
if (!secret)
  fail('set JWT_SECRET, or run `npm start` once so the dev stack writes .switchboard/jwt-secret');

try {
  const ttl = values.ttl ?? '1h';
  const jti =
    values.jti ?? (role === 'service' || ttlToMs(ttl) > LONG_LIVED_MS ? randomUUID() : undefined);
  console.log(
    mintToken(
      {
        sub,
        dealershipId: values.dealership,
        role: role as RoleName,
        ttl,
        ...(jti ? { jti } : {}),
        ...(scope ? { scope } : {}),
      },
      { secret },
    ),
  );
  // stderr: stdout stays the token alone, for $(pnpm -s token ...).
  if (jti) console.error(`jti ${jti} (revoke with: pnpm token revoke ${jti})`);
} catch (error) {
  fail((error as Error).message);
}
