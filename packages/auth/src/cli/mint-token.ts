#!/usr/bin/env node
// Mints a dev token: pnpm token --sub u1 --dealership d1 --role admin [--ttl 1h]
// Signs with JWT_SECRET, or with the secret the dev stack (`npm start`) generated.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mintToken } from '../mint-token.js';
import type { RoleName } from '../principal.js';

const DEV_SECRET_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  '..',
  '.switchboard',
  'jwt-secret',
);

function fail(message: string): never {
  console.error(`token: ${message}`);
  process.exit(1);
}

const { values } = parseArgs({
  options: {
    sub: { type: 'string' },
    dealership: { type: 'string' },
    role: { type: 'string', default: 'user' },
    ttl: { type: 'string', default: '1h' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log('usage: pnpm token --sub <id> --dealership <id> --role admin|user|agent [--ttl 1h]');
  process.exit(0);
}
if (!values.sub) fail('--sub is required');
if (!values.dealership) fail('--dealership is required');
if (!['admin', 'user', 'agent'].includes(values.role ?? ''))
  fail('--role must be admin, user or agent');

const secret =
  process.env['JWT_SECRET'] ??
  (existsSync(DEV_SECRET_FILE) ? readFileSync(DEV_SECRET_FILE, 'utf8').trim() : undefined);
if (!secret)
  fail('set JWT_SECRET, or run `npm start` once so the dev stack writes .switchboard/jwt-secret');

try {
  console.log(
    mintToken(
      {
        sub: values.sub,
        dealershipId: values.dealership,
        role: values.role as RoleName,
        ttl: values.ttl,
      },
      { secret },
    ),
  );
} catch (error) {
  fail((error as Error).message);
}
