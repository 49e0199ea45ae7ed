import { type Static, Type } from '@sinclair/typebox';

export type RoomKind = 'global' | 'user' | 'dealership' | 'sandbox' | 'project' | 'agent';

/** Room names as clients write them (SPEC.md, realtime-gateway). */
export const RoomName = Type.String({
  pattern: '^(global|(user|dealership|sandbox|project|agent):[A-Za-z0-9_.\\-]{1,128})$',
  maxLength: 140,
});
export type RoomName = Static<typeof RoomName>;

export const rooms = {
  global: () => 'global',
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
  const match = /^(user|dealership|sandbox|project|agent):([A-Za-z0-9_.-]{1,128})$/.exec(room);
  if (!match) return undefined;
  return { kind: match[1] as RoomKind, id: match[2] };
}
