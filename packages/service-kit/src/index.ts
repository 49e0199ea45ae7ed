export { platformPlugin, type PlatformOptions } from './platform-plugin.js';
export { runService, requireAuthKeys, type RunServiceOptions } from './run-service.js';
export {
  createFastify,
  DEFAULT_MAX_PARAM_LENGTH,
  DEFAULT_TRUST_PROXY,
  type FastifyFactoryOptions,
  type TypedFastify,
} from './create-fastify.js';
export { httpOptionsFrom, type HttpOptions } from './http-options.js';
export { securityPlugin, type SecurityOptions } from './security-plugin.js';
export { DEFAULT_JSON_MAX_DEPTH } from './json-depth.js';
