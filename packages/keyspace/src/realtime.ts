import type { Prefixer } from './prefix.js';

export const GLOBAL_ROOM = 'global';

/**
 * The tenant-scoped identity of a room: `project:1` of dealership A and of dealership B are
 * different rooms, so no key or channel can ever carry one tenant's traffic to another.
 */
export function roomKey(dealershipId: string, room: string): string {
  return room === GLOBAL_ROOM ? GLOBAL_ROOM : `d:${dealershipId}:${room}`;
}

export function realtimeKeys(p: Prefixer) {
  return {
    broadcastChannel: () => p('ws:broadcast'),
    roomChannel: (roomKeyValue: string) => p(`ws:room:${roomKeyValue}`),
    directChannel: (instanceId: string) => p(`ws:direct:${instanceId}`),
    healthChannel: () => p('ws:health'),
    migrationChannel: () => p('ws:migration'),
    connection: (clientId: string) => p(`ws:connection:${clientId}`),
    instances: () => p('ws:instances'),
    userConnections: (dealershipId: string, userId: string) => p(`ws:user-connections:${dealershipId}:${userId}`),
    offlineQueue: (dealershipId: string, userId: string) => p(`ws:queue:${dealershipId}:${userId}`),
    roomSeq: (roomKeyValue: string) => p(`ws:seq:{${roomKeyValue}}`),
    roomHistory: (roomKeyValue: string) => p(`ws:history:{${roomKeyValue}}`),
    roomEpoch: (roomKeyValue: string) => p(`ws:epoch:{${roomKeyValue}}`),
    subscriptions: (clientId: string) => p(`ws:subscriptions:${clientId}`),
  };
}
