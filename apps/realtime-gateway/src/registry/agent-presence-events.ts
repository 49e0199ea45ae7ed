import type { PrincipalClaims } from '@switchboard/auth';
import { rooms } from '@switchboard/events';
import type { Keyspace } from '@switchboard/keyspace';
import type { RedisClient } from '@switchboard/redis';
import { type Publisher, createPublisher, createUserPresence } from '@switchboard/room-log';
import type { FastifyBaseLogger } from 'fastify';

/**
 * `agent.connected` / `agent.disconnected` / `agent.status_changed` for role=agent users, into
 * `agent:<id>` and `dealership:<id>` through the room log: connected when a connection opens and
 * it is the agent's only live one (across every gateway), disconnected when the last one closes.
 * Presence is read from the registry after the change, so two gateways racing on one agent's
 * first connections may both announce it: subscribers treat the events as idempotent.
 */
export class AgentPresenceEvents {
  private readonly publisher: Publisher;
  private readonly presence: ReturnType<typeof createUserPresence>;

  constructor(
    redis: RedisClient,
    ks: Keyspace,
    private readonly log: FastifyBaseLogger,
    options: { instanceStaleMs: number; offlineQueue: { maxLength: number; ttlSec: number } },
  ) {
    // Agent and dealership rooms only: no user-room deliveries, so no offline-delivery jobs.
    this.publisher = createPublisher(redis, { keyspace: ks, ...options, offlineJobs: false });
    this.presence = createUserPresence(redis, ks, { staleMs: options.instanceStaleMs, cacheMs: 0 });
  }

  /** After the connection joined the registry. */
  async opened(principal: PrincipalClaims): Promise<void> {
    if (principal.role !== 'agent') return;
    const count = await this.presence.connectionCount(principal.dealershipId, principal.sub);
    if (count === 1) await this.announce(principal, 'online');
  }

  /** After the connection left the registry. */
  async closed(principal: PrincipalClaims): Promise<void> {
    if (principal.role !== 'agent') return;
    const count = await this.presence.connectionCount(principal.dealershipId, principal.sub);
    if (count === 0) await this.announce(principal, 'offline');
  }

  private async announce(principal: PrincipalClaims, status: 'online' | 'offline'): Promise<void> {
    const agentId = principal.sub;
    const dealershipId = principal.dealershipId;
    const targets = [rooms.agent(agentId), rooms.dealership(dealershipId)];
    try {
      for (const room of targets) {
        if (status === 'online')
          await this.publisher.publish({
            room,
            dealershipId,
            event: 'agent.connected',
            data: { agentId },
          });
        else
          await this.publisher.publish({
            room,
            dealershipId,
            event: 'agent.disconnected',
            data: { agentId, reason: 'last connection closed' },
          });
        await this.publisher.publish({
          room,
          dealershipId,
          event: 'agent.status_changed',
          data: { agentId, status, previous: status === 'online' ? 'offline' : 'online' },
        });
      }
    } catch (error) {
      this.log.warn({ err: error, agentId }, 'agent presence event not published');
    }
  }
}
