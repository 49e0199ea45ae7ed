import { BACKENDS, type BackendName, type InstanceSpec, serversOf } from './topology.js';

export interface HaproxyServer {
  name: string;
  host: string;
  port: number;
}

const BACKEND_LINE = /^backend\s+(\S+)/;
const SECTION_LINE =
  /^(global|defaults|frontend|backend|listen|resolvers|peers|userlist|program|http-errors|ring|cache)\b/;
const SERVER_LINE = /^\s+(server|server-template)\s/;

/**
 * Renders infra/haproxy/haproxy.cfg for a given set of servers: in each backend listed in
 * `servers`, the `server`/`server-template` lines (compose's DNS discovery) are replaced by one
 * `server <name> <host>:<port> check` line per instance. Every other line is kept as written,
 * so the dev stack runs the real config. Throws if a backend is missing or has no server line,
 * which means the config and the runner disagree.
 */
export function renderHaproxyConfig(
  template: string,
  servers: Record<string, HaproxyServer[]>,
): string {
  const lines = template.split('\n');
  const output: string[] = [];
  const rendered = new Set<string>();
  let backend: string | undefined;
  for (const line of lines) {
    if (SECTION_LINE.test(line)) backend = BACKEND_LINE.exec(line)?.[1];
    const list = backend === undefined ? undefined : servers[backend];
    if (backend !== undefined && list !== undefined && SERVER_LINE.test(line)) {
      if (!rendered.has(backend)) {
        rendered.add(backend);
        const indent = /^\s*/.exec(line)?.[0] ?? '    ';
        for (const server of list)
          output.push(`${indent}server ${server.name} ${server.host}:${server.port} check`);
      }
      continue;
    }
    output.push(line);
  }
  const missing = Object.keys(servers).filter((name) => !rendered.has(name));
  if (missing.length > 0)
    throw new Error(`haproxy.cfg has no server line in backend(s): ${missing.join(', ')}`);
  return output.join('\n');
}

/** The server list of every backend the stack routes to, from the planned instances. */
export function backendServers(instances: InstanceSpec[]): Record<BackendName, HaproxyServer[]> {
  const entries = (Object.keys(BACKENDS) as BackendName[]).map((backend) => [
    backend,
    serversOf(backend, instances).map((instance) => ({
      name: instance.name,
      host: instance.host,
      port: instance.port,
    })),
  ]);
  return Object.fromEntries(entries) as Record<BackendName, HaproxyServer[]>;
}
