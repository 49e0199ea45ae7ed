export { useRedis } from './use-redis.js';
export { tokenMinter, type TokenFor } from './token-minter.js';
export { describeServerConfig } from './server-config-suite.js';
export { describeBasicHealth } from './basic-health-suite.js';
export { spawnService, type ServiceProcess, type SpawnServiceOptions } from './service-process.js';
