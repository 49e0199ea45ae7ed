/** What the service needs from whatever isolates sandboxes (local processes today; containers or VMs later). */
export interface ExecRequest {
  executionId: string;
  command: string;
  args: string[];
  /** Time limit; frozen (paused) time does not count. */
  timeoutMs: number;
  /** Per stream; the rest is dropped and `truncated` set. */
  maxOutputBytes: number;
  /** Runs right after the process exists (the worker re-checks for a pause that raced the start). */
  onSpawn?: () => Promise<void> | void;
  /** The sandbox's settings ask for network access (granted only where the driver allows it). */
  network?: boolean;
  /** Variables the tool declares; the isolated driver passes nothing else. */
  env?: Record<string, string>;
}

export interface ExecResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  timedOut: boolean;
  /** Why the driver ended the process itself (e.g. the sandbox's memory limit), when it did. */
  failure?: string;
}

export interface SandboxUsage {
  processes: number;
  rssBytes: number;
  cpuSeconds: number;
  /** When the numbers were read (ISO 8601): usage comes from a shared sample, up to its TTL old. */
  sampledAt: string;
}

export interface FreezeCapabilities {
  /** How pause freezes processes on this host. */
  method: 'cgroup-v2' | 'cgroup-v1' | 'signals';
  cgroupV2: boolean;
  cgroupV1Freezer: boolean;
  signals: boolean;
  detail: string;
}

/** `isolated`: namespaces + cgroups (isolated-driver.ts); `process`: plain child processes. */
export type IsolationLevel = 'isolated' | 'process';

export interface SandboxDriver {
  readonly name: string;
  readonly isolation: IsolationLevel;
  capabilities(): FreezeCapabilities;
  /** The sandbox's working directory. */
  directory(sandboxId: string): string;
  create(sandboxId: string): Promise<void>;
  /** Kills everything the sandbox runs and removes its files. */
  destroy(sandboxId: string): Promise<void>;
  exec(sandboxId: string, request: ExecRequest): Promise<ExecResult>;
  /** Kills whatever one execution still runs (e.g. left behind by a worker that died). */
  killExecution(sandboxId: string, executionId: string): Promise<void>;
  /** Freezes every process of the sandbox and confirms it; returns how many are frozen. */
  pause(sandboxId: string): Promise<{ frozen: number }>;
  resume(sandboxId: string): Promise<{ thawed: number }>;
  /** Hands a file the worker wrote into the sandbox directory to the sandbox's user. */
  claim?(sandboxId: string, path: string): Promise<void>;
  /** From a shared, briefly cached sample; pause/resume/destroy never rely on it. */
  usage(sandboxId: string): Promise<SandboxUsage>;
}
