import type { Prefixer } from './prefix.js';

export const GLOBAL_ROOM = 'global';
/** Admin-only room (flag changes and other platform internals): one copy, not per dealership. */
export const ADMIN_ROOM = 'admin';
const USER_PREFIX = 'user:';

/**
 * The tenant-scoped identity of a room: `project:1` of dealership A and of dealership B are
 * different rooms, so no key or channel can ever carry one tenant's traffic to another.
 * A user id (a token's `sub`, any characters) is URI-encoded here, the one place: `:` in it
 * could otherwise make `d:A:user:user:x` of user `user:x` equal `d:A:user:user:x` of user `x`
 * in dealership `A:user`, and `{`/`}` would break the Cluster hash tags. Plain ids
 * ([A-Za-z0-9_.-]) are unchanged.
 */
export function roomKey(dealershipId: string, room: string): string {
  if (room === GLOBAL_ROOM || room === ADMIN_ROOM) return room;
  return room.startsWith(USER_PREFIX) ? `d:${dealershipId}:${USER_PREFIX}${encodeURIComponent(room.slice(USER_PREFIX.length))}` : `d:${dealershipId}:${room}`;
}


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
    userConnections: (dealershipId: string, userId: string) => p(`ws:user-connections:{${roomKey(dealershipId, `user:${userId}`)}}`),
    offlineQueue: (dealershipId: string, userId: string) => p(`ws:queue:{${roomKey(dealershipId, `user:${userId}`)}}`),
    roomSeq: (roomKeyValue: string) => p(`ws:seq:{${roomKeyValue}}`),
    roomHistory: (roomKeyValue: string) => p(`ws:history:{${roomKeyValue}}`),
    roomEpoch: (roomKeyValue: string) => p(`ws:epoch:{${roomKeyValue}}`),
    subscriptions: (clientId: string) => p(`ws:subscriptions:{${clientId}}`),
  };
}
