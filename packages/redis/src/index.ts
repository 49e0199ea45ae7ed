export {
  createRedis,
  type RedisClient,
  type CreateRedisOptions,
  reconnectDelayMs,
} from './create-redis.js';
export { redisPlugin, type RedisPluginOptions } from './redis-plugin.js';
export { commandBatch } from './command-batch.js';
export { defineScript, type RedisScript } from './define-script.js';
export { redisReachable } from './redis-reachable.js';
