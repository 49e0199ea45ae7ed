import { type Static, Type } from '@sinclair/typebox';

export type RoomKind = 'global' | 'admin' | 'user' | 'dealership' | 'sandbox' | 'project' | 'agent';

/**
 * Room names as clients write them (SPEC.md, realtime-gateway). A `user:` room's id is the
 * token's `sub` as is (any characters but control characters, e.g. an e-mail address or
 * `team:alice`); keyspace `roomKey` encodes it, so it can never reach into another key.
 * `admin` is the platform's admin-only room (one copy for every dealership).
 */
export const RoomName = Type.String({
  pattern: '^(global|admin|user:[^\\u0000-\\u001f\\u007f]{1,256}|(dealership|sandbox|project|agent):[A-Za-z0-9_.\\-]{1,128})$',
  maxLength: 261,
});
export type RoomName = Static<typeof RoomName>;

export const rooms = {
  global: () => 'global',
  admin: () => 'admin',
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
  if (room === 'global') return { kind: 'global', id: undefined };
  if (room === 'admin') return { kind: 'admin', id: undefined };
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
