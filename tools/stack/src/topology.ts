import { listenPort } from './listen-port.js';
import type { StackSettings } from './stack-env.js';

/** The kinds of process the stack runs, each with the HAProxy backend(s) that route to it. */
export type InstanceKind = 'gateway' | 'sandbox-api' | 'sandbox-worker' | 'flags';

export interface InstanceSpec {
  /** Unique, short, used as log prefix, INSTANCE_ID and HAProxy server name, e.g. `gateway-2`. */
  name: string;
  kind: InstanceKind;
  /** Script relative to the repository root. */
  script: string;
  host: string;
  port: number;
  /** False for processes HAProxy does not route to and that may not serve HTTP (the worker). */
  routed: boolean;
}

const KINDS: Record<
  InstanceKind,
  {
    prefix: string;
    script: string;
    count: keyof StackSettings;
    basePort: keyof StackSettings;
    routed: boolean;
  }
> = {
  gateway: {
    prefix: 'gateway',
    script: 'apps/realtime-gateway/dist/server.js',
    count: 'GATEWAY_INSTANCES',
    basePort: 'GATEWAY_BASE_PORT',
    routed: true,
  },
  'sandbox-api': {
    prefix: 'sandbox',
    script: 'apps/sandbox-service/dist/server.js',
    count: 'SANDBOX_INSTANCES',
    basePort: 'SANDBOX_BASE_PORT',
    routed: true,
  },
  'sandbox-worker': {
    prefix: 'sandbox-worker',
    script: 'apps/sandbox-service/dist/worker.js',
    count: 'SANDBOX_WORKERS',
    basePort: 'SANDBOX_WORKER_BASE_PORT',
    routed: false,
  },
  flags: {
    prefix: 'flags',
    script: 'apps/flag-service/dist/server.js',
    count: 'FLAG_INSTANCES',
    basePort: 'FLAG_BASE_PORT',
    routed: true,
  },
};

/** HAProxy backend (infra/haproxy/haproxy.cfg) -> the instance kind that serves it. */
export const BACKENDS = {
  'realtime-gateway': 'gateway',
  'sandbox-service': 'sandbox-api',
  'flag-service': 'flags',
  // The BullMQ dashboard is mounted by the sandbox API instances.
  'bull-board': 'sandbox-api',
} as const satisfies Record<string, InstanceKind>;
export type BackendName = keyof typeof BACKENDS;

/** Every instance of the stack with its port (base + index, or a free port when the base is 0). */
export async function planTopology(settings: StackSettings): Promise<InstanceSpec[]> {
  const instances: InstanceSpec[] = [];
  const taken = new Set<number>();
  const nextFreePort = async (): Promise<number> => listenPort(taken);
  for (const [kind, spec] of Object.entries(KINDS) as [
    InstanceKind,
    (typeof KINDS)[InstanceKind],
  ][]) {
    const count = settings[spec.count] as number;
    const base = settings[spec.basePort] as number;
    for (let index = 1; index <= count; index += 1) {
      const instance: InstanceSpec = {
        name: `${spec.prefix}-${index}`,
        kind,
        script: spec.script,
        host: settings.STACK_HOST,
        port: base === 0 ? await nextFreePort() : base + index - 1,
        routed: spec.routed,
      };
      taken.add(instance.port);
      instances.push(instance);
    }
  }
  return instances;
}

export function serversOf(backend: BackendName, instances: InstanceSpec[]): InstanceSpec[] {
  return instances.filter((instance) => instance.kind === BACKENDS[backend]);
}
