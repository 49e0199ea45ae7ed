/**
 * Local evaluation cost of the in-process SDK: `isEnabled` / `getValue` against an in-memory
 * snapshot, for a plain flag, a targeted flag and a percentage rollout. Run:
 *   node <vite-node> bench/evaluation-cost.ts
 * (a measurement, not a test: numbers depend on the machine).
 */
import { createKeyspace } from '@switchboard/keyspace';
import { Redis } from 'ioredis';
import { type Flag, createFlagsClient } from '../src/index.js';

const base = {
  version: 1,
  description: '',
  archived: false,
  tags: [],
  createdAt: '',
  updatedAt: '',
  updatedBy: 'bench',
};
const flags: Flag[] = [
  {
    ...base,
    key: 'PLAIN',
    type: 'boolean',
    enabled: true,
    variants: { on: true, off: false },
    defaultVariant: 'on',
    rules: [],
  },
  {
    ...base,
    key: 'TARGETED',
    type: 'string',
    enabled: true,
    variants: { a: 'a', b: 'b', c: 'c' },
    defaultVariant: 'a',
    rules: [
      {
        constraints: [
          { attribute: 'dealershipId', operator: 'in', values: ['d-1', 'd-2', 'd-3', 'd-4'] },
        ],
        variant: 'b',
      },
      {
        constraints: [
          { attribute: 'email', operator: 'regex', value: '^[a-z]+@example\\.com$' },
          { attribute: 'appVersion', operator: 'semver_gt', value: '2.0.0' },
        ],
        variant: 'c',
      },
      {
        constraints: [{ attribute: 'plan', operator: 'equals', value: 'enterprise' }],
        variant: 'b',
      },
    ],
  },
  {
    ...base,
    key: 'ROLLOUT',
    type: 'boolean',
    enabled: true,
    variants: { on: true, off: false },
    defaultVariant: 'off',
    rules: [
      {
        constraints: [],
        rollout: {
          variants: [
            { variant: 'on', weight: 20 },
            { variant: 'off', weight: 80 },
          ],
        },
      },
    ],
  },
];

const client = createFlagsClient({
  redis: new Redis({ lazyConnect: true }),
  keyspace: createKeyspace(''),
});
for (const flag of flags) client.apply(flag);

function measure(name: string, run: (i: number) => unknown, iterations = 1_000_000): void {
  for (let i = 0; i < 50_000; i += 1) run(i);
  const started = process.hrtime.bigint();
  let sink = 0;
  for (let i = 0; i < iterations; i += 1) if (run(i)) sink += 1;
  const ns = Number(process.hrtime.bigint() - started) / iterations;
  console.log(
    `${name.padEnd(44)} ${ns.toFixed(0).padStart(6)} ns/call  (${(1e9 / ns / 1e6).toFixed(2)} M calls/s, ${sink} truthy)`,
  );
}

const users = Array.from({ length: 1024 }, (_, i) => ({
  targetingKey: `user-${i}`,
  dealershipId: `d-${i % 10}`,
  email: `user${i}@example.com`,
  appVersion: '2.3.1',
  plan: 'team',
}));
measure('isEnabled(PLAIN)', () => client.isEnabled('PLAIN'));
measure('getValue(TARGETED) 3 rules, regex + semver', (i) =>
  client.getValue('TARGETED', 'a', users[i & 1023]),
);
measure('isEnabled(ROLLOUT) 20 % murmur3 rollout', (i) =>
  client.isEnabled('ROLLOUT', users[i & 1023]),
);
measure('isEnabled(unknown key)', () => client.isEnabled('NOPE'));
process.exit(0);
