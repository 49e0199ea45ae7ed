export {
  startStack,
  type RunningStack,
  type RunningInstance,
  type StartStackOptions,
} from './stack.js';
export { StackEnv, loadStackSettings, type StackSettings } from './stack-env.js';
export {
  planTopology,
  BACKENDS,
  type InstanceSpec,
  type InstanceKind,
  type BackendName,
} from './topology.js';
export { renderHaproxyConfig, backendServers, type HaproxyServer } from './haproxy-config.js';
export { parseStatsCsv, fetchServerStates, type ServerState } from './haproxy-stats.js';
export { liveChildPids } from './managed-process.js';
export { resolveAuth, type AuthSettings } from './dev-secret.js';
export { formatBanner } from './banner.js';
export { repoRoot } from './paths.js';
export { listenPort } from './listen-port.js';
