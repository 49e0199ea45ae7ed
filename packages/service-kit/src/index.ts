export { platformPlugin, type PlatformOptions } from './platform-plugin.js';
export { runService, type RunServiceOptions } from './run-service.js';
export { createPlatformApp, type PlatformAppOptions } from './platform-app.js';
export { runPlatformService } from './run-platform-service.js';
export {
  createFastify,
  DEFAULT_MAX_PARAM_LENGTH,
  DEFAULT_TRUST_PROXY,
  type FastifyFactoryOptions,
  type TypedFastify,
} from './create-fastify.js';
export { type HttpOptions } from './http-options.js';
export { securityPlugin, type SecurityOptions } from './security-plugin.js';
export { DEFAULT_JSON_MAX_DEPTH } from './json-depth.js';
export type { RateLimitGroup } from './rate-limit-plugin.js';
// Also bring their `FastifyInstance` decorations (clientIpOf, pressureRefusal) into the typings.
export { clientIpResolver } from './client-ip.js';
export type { PressurePluginOptions } from './pressure-plugin.js';
