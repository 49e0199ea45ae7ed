import type { Keyspace } from '@switchboard/keyspace';
import type { RedisClient } from '@switchboard/redis';

/**
 * A dealership's GitHub webhook settings in Redis: its secret (write-only: nothing reads it back
 * out of the gateway) and which repository feeds which project room.
 */
export class GithubConfigStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly ks: Keyspace,
  ) {}

  secret(dealershipId: string): Promise<string | null> {
    return this.redis.get(this.ks.realtimeApi.githubSecret(dealershipId));
  }

  async hasSecret(dealershipId: string): Promise<boolean> {
    return (await this.redis.exists(this.ks.realtimeApi.githubSecret(dealershipId))) === 1;
  }

  async setSecret(dealershipId: string, secret: string): Promise<void> {
    await this.redis.set(this.ks.realtimeApi.githubSecret(dealershipId), secret);
  }

  projectOf(dealershipId: string, repository: string): Promise<string | null> {
    return this.redis.hget(this.ks.realtimeApi.githubRepos(dealershipId), repository.toLowerCase());
  }

  /** Sets (project id) or removes (null) repository mappings. */
  async mapRepositories(dealershipId: string, repos: Record<string, string | null>): Promise<void> {
    const key = this.ks.realtimeApi.githubRepos(dealershipId);
    const set = Object.entries(repos).filter(([, project]) => project !== null);
    const removed = Object.entries(repos)
      .filter(([, project]) => project === null)
      .map(([repo]) => repo.toLowerCase());
    const multi = this.redis.multi();
    if (set.length > 0)
      multi.hset(
        key,
        Object.fromEntries(set.map(([repo, project]) => [repo.toLowerCase(), project])),
      );
    if (removed.length > 0) multi.hdel(key, ...removed);
    await multi.exec();
  }

  repositories(dealershipId: string): Promise<Record<string, string>> {
    return this.redis.hgetall(this.ks.realtimeApi.githubRepos(dealershipId));
  }

  /** True the first time a delivery id is seen within 24 h (GitHub redelivers with the same id). */
  async firstDelivery(dealershipId: string, deliveryId: string): Promise<boolean> {
    const result = await this.redis.set(
      this.ks.realtimeApi.githubDelivery(dealershipId, deliveryId),
      '1',
      'EX',
      24 * 3600,
      'NX',
    );
    return result === 'OK';
  }

  /** A delivery whose publish failed may be redelivered: forget it. */
  async forgetDelivery(dealershipId: string, deliveryId: string): Promise<void> {
    await this.redis.del(this.ks.realtimeApi.githubDelivery(dealershipId, deliveryId));
  }
}
