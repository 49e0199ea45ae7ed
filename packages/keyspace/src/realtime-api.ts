import type { Prefixer } from './prefix.js';

const part = (value: string) => encodeURIComponent(value);

/** What the gateway's server API and its GitHub webhooks keep beside the room log. */
export function realtimeApiKeys(p: Prefixer) {
  return {
    /** hash: clientId -> `<instanceId> <userId> <connectedAt>` of one room's members (not `global`). */
    roomPresence: (roomKeyValue: string) => p(`ws:presence:{${roomKeyValue}}`),
    /** hash: roomKey -> members of that room on one instance (deleted when the instance leaves). */
    instanceRooms: (instanceId: string) => p(`ws:instance-rooms:${instanceId}`),
    /** hash: instanceId -> JSON snapshot of its counters (`/api/v1/websocket/stats`). */
    instanceStats: () => p('ws:instance-stats'),
    /** string: a dealership's GitHub webhook secret (never returned by the API). */
    githubSecret: (dealershipId: string) => p(`github:secret:d:${part(dealershipId)}`),
    /** hash: `owner/repo` -> project id, per dealership. */
    githubRepos: (dealershipId: string) => p(`github:repos:d:${part(dealershipId)}`),
    /** string: a GitHub delivery already handled (X-GitHub-Delivery), kept 24 h. */
    githubDelivery: (dealershipId: string, deliveryId: string) =>
      p(`github:delivery:d:${part(dealershipId)}:${part(deliveryId)}`),
  };
}
