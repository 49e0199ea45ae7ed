export { platformPlugin, type PlatformOptions } from './platform-plugin.js';
export { runService, requireAuthKeys, type RunServiceOptions } from './run-service.js';
export { createFastify, DEFAULT_TRUST_PROXY, type FastifyFactoryOptions, type TypedFastify } from './create-fastify.js';
