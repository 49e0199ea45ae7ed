import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { probeRedis } from './probe-redis.js';
import { type RedisServer, startRedis } from './redis-server.js';
import { waitFor } from './wait-for.js';

const run = promisify(execFile);

export interface RedisClusterServer {
  /** `redis+cluster://127.0.0.1:p1,127.0.0.1:p2,...`, as REDIS_URL takes it. */
  readonly url: string;
  readonly nodes: readonly RedisServer[];
  cleanup(): Promise<void>;
}

/**
 * A private Redis Cluster: `masters` redis-server nodes in cluster mode on free ports, the 16 384
 * slots spread over them by `redis-cli --cluster create`, ready once every node says
 * cluster_state:ok. For proving that multi-key scripts and batches respect slots.
 */
export async function startRedisCluster(masters = 3): Promise<RedisClusterServer> {
  const nodes = await Promise.all(
    Array.from({ length: masters }, () =>
      startRedis({
        args: [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          '5000',
        ],
      }),
    ),
  );
  const cleanup = async () => {
    await Promise.all(nodes.map((node) => node.cleanup()));
  };
  try {
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await run(
      'redis-cli',
      ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'],
      { timeout: 30_000 },
    );
    await waitFor(
      async () => (await Promise.all(nodes.map(clusterState))).every((state) => state === 'ok'),
      { timeoutMs: 20_000, message: 'cluster_state:ok on every node' },
    );
  } catch (error) {
    await cleanup();
    throw error;
  }
  return {
    url: `redis+cluster://${nodes.map((node) => `127.0.0.1:${node.port}`).join(',')}`,
    nodes,
    cleanup,
  };
}

async function clusterState(node: RedisServer): Promise<string | undefined> {
  return probeRedis({ port: node.port, host: '127.0.0.1' }, async (client) => {
    const info = String(await client.call('CLUSTER', 'INFO'));
    return /cluster_state:(\w+)/.exec(info)?.[1];
  });
}
