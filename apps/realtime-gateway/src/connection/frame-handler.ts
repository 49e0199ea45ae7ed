import { AppError, ErrorCode } from '@switchboard/errors';
import type { PrincipalClaims } from '@switchboard/auth';
import type { ClientFrame } from '@switchboard/protocol';
import { parseClientFrame } from '../protocol/parse-frame.js';
import { CloseCode } from '@switchboard/events';
import type { ClientConnection } from './client-connection.js';

/** What handling a frame needs from the gateway. */
export interface FrameContext {
  subscribe(connection: ClientConnection, room: string, events?: string[]): Promise<void>;
  unsubscribe(connection: ClientConnection, room: string): Promise<void>;
  resume(
    connection: ClientConnection,
    positions: Record<string, number>,
    epochs: Record<string, string> | undefined,
    session: string | undefined,
  ): Promise<void>;
  reauthenticate(connection: ClientConnection, claims: PrincipalClaims): void;
  verifyToken(token: string): PrincipalClaims;
  ack(connection: ClientConnection, room: string, seq: number): void;
  onFrame(type: string): void;
  onRateLimited(): void;
  onError(type: string): void;
}

/** Rate-limits, parses and dispatches one text frame; a bad frame yields an `error` frame. */
export async function handleFrame(
  context: FrameContext,
  connection: ClientConnection,
  raw: string,
): Promise<void> {
  // Frames still queued behind a close are not handled (nor counted).
  if (connection.closed) return;
  const admitted = connection.admitFrame();
  if (admitted !== 'allowed') {
    context.onRateLimited();
    connection.sendFrame({
      type: 'error',
      code: ErrorCode.RATE_LIMITED,
      message: 'Too many frames; slow down.',
    });
    if (admitted === 'abusive') connection.close(CloseCode.RATE_LIMITED, 'rate limited');
    return;
  }
  const parsed = parseClientFrame(raw);
  if (!parsed.ok) {
    context.onError('invalid_frame');
    connection.sendFrame({ type: 'error', code: parsed.code, message: parsed.message });
    return;
  }
  context.onFrame(parsed.frame.type);
  try {
    await dispatch(context, connection, parsed.frame);
  } catch (error) {
    const appError = error instanceof AppError ? error : new AppError(ErrorCode.INTERNAL_ERROR);
    context.onError(
      appError.code === ErrorCode.INTERNAL_ERROR ? 'internal' : appError.code.toLowerCase(),
    );
    connection.sendFrame({
      type: 'error',
      code: appError.code,
      message: appError.message,
      ...('room' in parsed.frame ? { room: parsed.frame.room } : {}),
    });
  }
}

async function dispatch(
  context: FrameContext,
  connection: ClientConnection,
  frame: ClientFrame,
): Promise<void> {
  switch (frame.type) {
    case 'ping':
      connection.sendFrame({ type: 'pong', ts: Date.now(), ...(frame.id ? { id: frame.id } : {}) });
      return;
    case 'subscribe':
      return context.subscribe(connection, frame.room, frame.events);
    case 'unsubscribe':
      return context.unsubscribe(connection, frame.room);
    case 'resume':
      return context.resume(connection, frame.positions, frame.epochs, frame.session);
    case 'ack':
      context.ack(connection, frame.room, frame.seq);
      return;
    case 'auth': {
      let claims: PrincipalClaims;
      try {
        claims = context.verifyToken(frame.token);
      } catch {
        connection.sendFrame({
          type: 'error',
          code: ErrorCode.UNAUTHORIZED,
          message: 'The new token is invalid or expired.',
        });
        return;
      }
      // Rooms were checked against the old identity: a refresh may extend it, never change it
      // (an admin demoted to user would otherwise keep another dealership's rooms).
      if (
        claims.sub !== connection.principal.sub ||
        claims.dealershipId !== connection.principal.dealershipId ||
        claims.role !== connection.principal.role
      ) {
        throw new AppError(
          ErrorCode.FORBIDDEN,
          'A refreshed token must be for the same user, dealership and role.',
        );
      }
      context.reauthenticate(connection, claims);
      return;
    }
  }
}
