import { fetchServerStates } from './haproxy-stats.js';
import type { HaproxyServer } from './haproxy-config.js';

export async function readyStatus(baseUrl: string): Promise<number> {
  try {
    const response = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/**
 * Servers that HAProxy does not (yet) report as UP: HAProxy's own /health/ready checks decide
 * whether it routes to an instance, so this is the view that matters for clients.
 */
export async function serversNotUp(
  statsUrl: string,
  backends: Record<string, HaproxyServer[]>,
): Promise<string[]> {
  let states;
  try {
    states = await fetchServerStates(statsUrl);
  } catch (error) {
    return [`haproxy stats (${(error as Error).message})`];
  }
  const status = new Map(states.map((state) => [`${state.backend}/${state.server}`, state.status]));
  return Object.entries(backends).flatMap(([backend, servers]) =>
    servers.map((server) => `${backend}/${server.name}`).filter((key) => status.get(key) !== 'UP'),
  );
}
