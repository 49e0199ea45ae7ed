import { type Static, Type } from '@sinclair/typebox';

export type RoomKind = 'global' | 'admin' | 'user' | 'dealership' | 'sandbox' | 'project' | 'agent';

/** The one room every connection of every dealership may join. */
export const GLOBAL_ROOM = 'global';
/** Admin-only room (flag changes and other platform internals): one copy, not per dealership. */
export const ADMIN_ROOM = 'admin';
const USER_PREFIX = 'user:';

/**
 * Room names as clients write them (SPEC.md, realtime-gateway). A `user:` room's id is the
 * token's `sub` as is (any characters but control characters, e.g. an e-mail address or
 * `team:alice`); `roomKey` encodes it, so it can never reach into another key.
 * `admin` is the platform's admin-only room (one copy for every dealership).
 */
export const RoomName = Type.String({
  pattern:
    '^(global|admin|user:[^\\u0000-\\u001f\\u007f]{1,256}|(dealership|sandbox|project|agent):[A-Za-z0-9_.\\-]{1,128})$',
  maxLength: 261,
});
export type RoomName = Static<typeof RoomName>;

export const rooms = {
  global: () => GLOBAL_ROOM,
  admin: () => ADMIN_ROOM,
  user: (userId: string) => `user:${userId}`,
  dealership: (dealershipId: string) => `dealership:${dealershipId}`,
  sandbox: (sandboxId: string) => `sandbox:${sandboxId}`,
  project: (projectId: string) => `project:${projectId}`,
  agent: (agentId: string) => `agent:${agentId}`,
};

export interface ParsedRoom {
  kind: RoomKind;
  id: string | undefined;
}

export function parseRoom(room: string): ParsedRoom | undefined {
  if (room === GLOBAL_ROOM) return { kind: 'global', id: undefined };
  if (room === ADMIN_ROOM) return { kind: 'admin', id: undefined };
  if (room.startsWith('user:')) {
    const id = room.slice('user:'.length);
    return isUserId(id) ? { kind: 'user', id } : undefined;
  }
  const match = /^(dealership|sandbox|project|agent):([A-Za-z0-9_.-]{1,128})$/.exec(room);
  if (!match) return undefined;
  return { kind: match[1] as RoomKind, id: match[2] };
}

/** A token's `sub`: 1 to 256 characters, none a control character (as RoomName says). */
function isUserId(id: string): boolean {
  if (id.length === 0 || id.length > 256) return false;
  for (let index = 0; index < id.length; index += 1) {
    const code = id.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return false;
  }
  return true;
}

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
  return room.startsWith(USER_PREFIX)
    ? `d:${dealershipId}:${USER_PREFIX}${encodeURIComponent(room.slice(USER_PREFIX.length))}`
    : `d:${dealershipId}:${room}`;
}
