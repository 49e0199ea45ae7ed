export { startRedis, type RedisServer, type StartRedisOptions } from './redis-server.js';
export { freePort } from './free-port.js';
export { waitFor } from './wait-for.js';
export { startRedisCluster, type RedisClusterServer } from './redis-cluster.js';
export { probeRedis } from './probe-redis.js';
