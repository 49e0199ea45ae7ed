import { roomKey } from '@switchboard/events';
import type { Prefixer } from './prefix.js';

/** Room keys (`roomKey` of packages/events) are the tenant-scoped identities of rooms. */
export function realtimeKeys(p: Prefixer) {
  return {
    broadcastChannel: () => p('ws:broadcast'),
    roomChannel: (roomKeyValue: string) => p(`ws:room:${roomKeyValue}`),
    directChannel: (instanceId: string) => p(`ws:direct:${instanceId}`),
    healthChannel: () => p('ws:health'),
    migrationChannel: () => p('ws:migration'),
    // A connection's entry and its subscription state are written together (one slot on a Cluster).
    connection: (clientId: string) => p(`ws:connection:{${clientId}}`),
    instances: () => p('ws:instances'),
    // Tagged with the user room's key: the user-room publish and attach scripts touch these and
    // the room's ws:seq / ws:epoch / ws:history in one step, so on a Cluster they share a slot.
    userConnections: (dealershipId: string, userId: string) =>
      p(`ws:user-connections:{${roomKey(dealershipId, `user:${userId}`)}}`),
    offlineQueue: (dealershipId: string, userId: string) =>
      p(`ws:queue:{${roomKey(dealershipId, `user:${userId}`)}}`),
    roomSeq: (roomKeyValue: string) => p(`ws:seq:{${roomKeyValue}}`),
    roomHistory: (roomKeyValue: string) => p(`ws:history:{${roomKeyValue}}`),
    roomEpoch: (roomKeyValue: string) => p(`ws:epoch:{${roomKeyValue}}`),
    /** zset: the newest event ids of a room -> their seq, so a re-published id is appended once. */
    roomIds: (roomKeyValue: string) => p(`ws:ids:{${roomKeyValue}}`),
    subscriptions: (clientId: string) => p(`ws:subscriptions:{${clientId}}`),
  };
}
