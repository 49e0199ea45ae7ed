import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import { LeaveRotationEnv, ServiceEnv, loadConfig, portEnv } from '@switchboard/config';
import { type RoomLogConfig, RoomLogEnv } from '@switchboard/room-log';
import { TaskEnv, type TaskSettings } from './tasks/task-config.js';

/** Environment of the sandbox service and its workers (SPEC.md, Configuration; docs/api/sandbox.md). */
export const SandboxEnv = Type.Composite([
  ServiceEnv,
  RoomLogEnv,
  TaskEnv,
  portEnv(3001),
  LeaveRotationEnv,
  Type.Object({
    SANDBOX_ROOT: Type.String({ default: join(tmpdir(), 'switchboard-sandboxes'), minLength: 1 }),
    SANDBOX_ALLOW_EXEC: Type.Boolean({ default: false }),
    SANDBOX_PATH: Type.String({
      default: '/usr/bin:/bin',
      minLength: 1,
      description: "PATH of the commands a sandbox runs; default: the service's own PATH",
    }),
    SANDBOX_DRIVER: Type.Union(
      [Type.Literal('auto'), Type.Literal('isolated'), Type.Literal('process')],
      {
        default: 'auto',
        description:
          'isolated: bubblewrap + cgroups (refuses to start without them); process: plain child processes; auto: isolated where possible',
      },
    ),
    SANDBOX_BWRAP_PATH: Type.String({ default: '/usr/bin/bwrap', minLength: 1 }),
    SANDBOX_CGROUP_ROOT: Type.String({ default: '/sys/fs/cgroup', minLength: 1 }),
    SANDBOX_CGROUP_PARENT: Type.String({
      default: 'switchboard',
      pattern: '^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$',
      description:
        'cgroup (under each v1 controller, or under the v2 root) that holds one cgroup per sandbox',
    }),
    SANDBOX_MEMORY_LIMIT_MB: Type.Integer({ default: 512, minimum: 16, maximum: 1_048_576 }),
    SANDBOX_PIDS_LIMIT: Type.Integer({ default: 256, minimum: 8, maximum: 65_536 }),
    SANDBOX_CPU_WEIGHT: Type.Integer({ default: 100, minimum: 1, maximum: 10_000 }),
    SANDBOX_UID_BASE: Type.Integer({
      default: 100_000_000,
      minimum: 65_536,
      description:
        'first host uid/gid of sandbox users (each sandbox hashes into a range from here)',
    }),
    SANDBOX_UID_RANGE: Type.Integer({ default: 16_777_216, minimum: 1, maximum: 1_000_000_000 }),
    SANDBOX_NETWORK: Type.Boolean({
      default: false,
      description:
        'isolated driver: give executions the host network (default: none, not even loopback)',
    }),
    SANDBOX_TENANT_MAX_SHARE: Type.Number({
      default: 0.5,
      exclusiveMinimum: 0,
      maximum: 1,
      description:
        "share of a worker's WORKER_CONCURRENCY run slots one dealership may hold (at least one slot)",
    }),
    /** Default of the SANDBOX_PAUSE_RESUME flag until the flags SDK is wired in. */
    FLAG_SANDBOX_PAUSE_RESUME: Type.Boolean({
      default: true,
      description:
        'Value of the SANDBOX_PAUSE_RESUME flag when it is created at first start; afterwards the flag service decides.',
    }),
    SANDBOX_HISTORY_MAX: Type.Integer({ default: 1000, minimum: 1, maximum: 100_000 }),
    EXECUTION_TTL_SEC: Type.Integer({ default: 7 * 86_400, minimum: 60 }),
    EXECUTION_HISTORY_MAX: Type.Integer({ default: 1000, minimum: 1 }),
    EXECUTION_DEFAULT_TIMEOUT_MS: Type.Integer({ default: 30_000, minimum: 100 }),
    EXECUTION_MAX_TIMEOUT_MS: Type.Integer({ default: 3_600_000, minimum: 100 }),
    EXECUTION_MAX_OUTPUT_BYTES: Type.Integer({ default: 65_536, minimum: 1024 }),
    WORKER_CONCURRENCY: Type.Integer({ default: 8, minimum: 1, maximum: 256 }),
    /** A crashed worker's job is picked up again after about this long. */
    WORKER_LOCK_DURATION_MS: Type.Integer({ default: 30_000, minimum: 1000 }),
    WORKER_METRICS_PORT: Type.Integer({
      default: 0,
      minimum: 0,
      maximum: 65535,
      description: '0 = no metrics endpoint',
    }),
    AUTO_PAUSE_CHECK_INTERVAL_MS: Type.Integer({ default: 5_000, minimum: 100 }),
    /** One /proc scan (process driver) or one reading of a sandbox's cgroup (isolated driver) serves usage (status, memory auto-pause) for this long; pause/resume always read afresh. */
    SANDBOX_USAGE_SAMPLE_TTL_MS: Type.Integer({ default: 1_000, minimum: 0, maximum: 60_000 }),
    /** How often each instance looks for events whose committing process died before publishing them. */
    OUTBOX_SWEEP_EVERY_MS: Type.Integer({ default: 1_000, minimum: 50, maximum: 60_000 }),
    /** A commit's own relay is given this long before a sweeper publishes its events instead. */
    OUTBOX_SWEEP_AFTER_MS: Type.Integer({ default: 5_000, minimum: 50, maximum: 600_000 }),
    SANDBOX_QUOTA_PER_DEALERSHIP: Type.Integer({
      default: 1_000,
      minimum: 1,
      description: 'non-terminated sandboxes one dealership may have',
    }),
    SANDBOX_AUTO_PAUSE_QUOTA_PER_DEALERSHIP: Type.Integer({
      default: 500,
      minimum: 1,
      description: 'sandboxes with auto-pause settings (one schedule each) one dealership may have',
    }),
    SANDBOX_METADATA_MAX_BYTES: Type.Integer({
      default: 16_384,
      minimum: 256,
      description: 'largest `metadata` of a sandbox, as JSON',
    }),
    SANDBOX_LIST_MAX_BYTES: Type.Integer({
      default: 1_048_576,
      minimum: 16_384,
      description:
        'a list page stops early (with a nextCursor) once its sandboxes add up to about this much',
    }),
  }),
]);
export type SandboxConfig = Static<typeof SandboxEnv>;

export function loadSandboxConfig(
  env: Record<string, string | undefined> = process.env,
): SandboxConfig {
  return loadConfig(SandboxEnv, { SANDBOX_PATH: env['PATH'], ...env });
}

/** The settings the API and the workers share, with defaults, so tests can override a few. */
export type SandboxRuntimeSettings = Pick<
  SandboxConfig,
  | 'SANDBOX_ROOT'
  | 'SANDBOX_ALLOW_EXEC'
  | 'SANDBOX_PATH'
  | 'SANDBOX_DRIVER'
  | 'SANDBOX_BWRAP_PATH'
  | 'SANDBOX_CGROUP_ROOT'
  | 'SANDBOX_CGROUP_PARENT'
  | 'SANDBOX_MEMORY_LIMIT_MB'
  | 'SANDBOX_PIDS_LIMIT'
  | 'SANDBOX_CPU_WEIGHT'
  | 'SANDBOX_UID_BASE'
  | 'SANDBOX_UID_RANGE'
  | 'SANDBOX_NETWORK'
  | 'SANDBOX_TENANT_MAX_SHARE'
  | 'SANDBOX_HISTORY_MAX'
  | 'EXECUTION_TTL_SEC'
  | 'EXECUTION_HISTORY_MAX'
  | 'EXECUTION_DEFAULT_TIMEOUT_MS'
  | 'EXECUTION_MAX_TIMEOUT_MS'
  | 'EXECUTION_MAX_OUTPUT_BYTES'
  | 'WORKER_CONCURRENCY'
  | 'WORKER_LOCK_DURATION_MS'
  | 'AUTO_PAUSE_CHECK_INTERVAL_MS'
  | 'SANDBOX_USAGE_SAMPLE_TTL_MS'
  | 'OUTBOX_SWEEP_EVERY_MS'
  | 'OUTBOX_SWEEP_AFTER_MS'
  | 'SANDBOX_QUOTA_PER_DEALERSHIP'
  | 'SANDBOX_AUTO_PAUSE_QUOTA_PER_DEALERSHIP'
  | 'SANDBOX_METADATA_MAX_BYTES'
  | 'SANDBOX_LIST_MAX_BYTES'
  | keyof RoomLogConfig
  | keyof TaskSettings
>;

export function runtimeSettings(
  overrides: Partial<SandboxRuntimeSettings> = {},
): SandboxRuntimeSettings {
  const defaults = loadSandboxConfig({ PATH: process.env['PATH'] });
  return { ...defaults, ...overrides };
}
