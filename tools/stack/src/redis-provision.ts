import { mkdirSync } from 'node:fs';
import { probeRedis, waitFor } from '@switchboard/test-redis';
import { type ManagedProcess, startProcess } from './managed-process.js';

export interface ProvisionedRedis {
  url: string;
  /** Set when the stack started its own redis-server (stopped with the stack). */
  process?: ManagedProcess;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export async function redisAnswers(url: string): Promise<boolean> {
  const answer = await probeRedis(url, (client) => client.ping(), { connectTimeout: 1000 });
  return answer === 'PONG';
}

/**
 * Reuses the Redis at REDIS_URL when it answers; otherwise, when the URL points at this
 * machine, starts redis-server on that port with AOF persistence under `dataDir` (so dev data
 * survives restarts). A remote or cluster URL that does not answer is an error, not a guess.
 */
export async function provisionRedis(
  url: string,
  dataDir: string,
  log?: (line: string) => void,
): Promise<ProvisionedRedis> {
  if (await redisAnswers(url)) return { url };
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:' || !LOCAL_HOSTS.has(parsed.hostname)) {
    throw new Error(
      `Redis at ${url} does not answer, and it is not a local address the stack could start`,
    );
  }
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  mkdirSync(dataDir, { recursive: true });
  const child = startProcess({
    name: 'redis',
    command: 'redis-server',
    args: [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dataDir,
      '--appendonly',
      'yes',
      '--save',
      '',
      '--daemonize',
      'no',
    ],
    env: process.env,
    cwd: dataDir,
    ...(log ? { log } : {}),
  });
  await Promise.race([
    waitFor(() => redisAnswers(url), {
      timeoutMs: 15_000,
      intervalMs: 100,
      message: `redis-server on port ${port}`,
    }),
    child.exit.then((code) => {
      throw new Error(`redis-server exited (${code}) before answering on port ${port}`);
    }),
  ]);
  return { url, process: child };
}
