import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { CloseCode } from '@switchboard/events';
import type { ClientConnection } from './client-connection.js';

/**
 * A command for one instance, sent on its ws:direct channel beside user-room messages (which
 * never carry `command`): close these connections.
 */
export const DisconnectCommand = Type.Object({
  command: Type.Literal('disconnect'),
  dealershipId: Type.String(),
  userId: Type.Optional(Type.String()),
  clientIds: Type.Optional(Type.Array(Type.String(), { maxItems: 1000 })),
  reconnect: Type.Boolean(),
});
export type DisconnectCommand = Static<typeof DisconnectCommand>;

const check = TypeCompiler.Compile(DisconnectCommand);
const COMMAND_MARK = '{"command":';

/** The command in a raw direct-channel message, or undefined for anything else. */
export function parseCommand(raw: string): DisconnectCommand | undefined {
  if (!raw.startsWith(COMMAND_MARK)) return undefined;
  try {
    const value: unknown = JSON.parse(raw);
    return check.Check(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function encodeCommand(command: DisconnectCommand): string {
  // Key order matters: parseCommand recognises a command by its first field.
  const { command: name, ...rest } = command;
  return JSON.stringify({ command: name, ...rest });
}

/**
 * Closes the local connections the command names (of its dealership only). `reconnect`: a
 * `migrate` frame and a 1012 close, as in a drain, so SDKs come back; otherwise 4403, which
 * they do not retry. Returns how many were closed.
 */
export function applyDisconnect(
  connections: Iterable<ClientConnection>,
  command: DisconnectCommand,
): number {
  const ids = command.clientIds ? new Set(command.clientIds) : undefined;
  let closed = 0;
  for (const connection of connections) {
    const { dealershipId, sub } = connection.principal;
    if (dealershipId !== command.dealershipId) continue;
    if (ids ? !ids.has(connection.id) : sub !== command.userId) continue;
    if (command.reconnect) {
      connection.sendFrame({ type: 'migrate', reconnectInMs: 0 });
      connection.close(CloseCode.DRAINING, 'disconnected by the server; reconnect');
    } else connection.close(CloseCode.FORBIDDEN, 'disconnected by the server');
    closed += 1;
  }
  return closed;
}
