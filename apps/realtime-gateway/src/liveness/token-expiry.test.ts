import { CloseCode } from '@switchboard/events';
import { describe, expect, it } from 'vitest';
import type { ClientConnection } from '../connection/client-connection.js';
import { TokenExpiry } from './token-expiry.js';

/** Just what TokenExpiry touches: the token's expiry and how the connection is closed. */
function fakeConnection(exp: number): ClientConnection & { closedWith: number | undefined } {
  const connection = {
    principal: { sub: 'u1', dealershipId: 'A', role: 'user', exp },
    expiresAtSecond: undefined as number | undefined,
    closedWith: undefined as number | undefined,
    close(code: number) {
      connection.closedWith ??= code;
    },
  };
  return connection as unknown as ClientConnection & { closedWith: number | undefined };
}

describe('token expiry sweep', () => {
  const start = 1_700_000_000_000;

  it('closes 4401 once the expiry second has passed, never before', () => {
    const expiry = new TokenExpiry(start);
    const connection = fakeConnection(start / 1000 + 5);
    expiry.track(connection);
    expiry.sweep(start + 4999);
    expect(connection.closedWith).toBeUndefined();
    expiry.sweep(start + 5000);
    expect(connection.closedWith).toBe(CloseCode.UNAUTHORIZED);
    expect(expiry.size).toBe(0);
  });

  it('moves a connection to its new second when a refreshed token is tracked', () => {
    const expiry = new TokenExpiry(start);
    const connection = fakeConnection(start / 1000 + 5);
    expiry.track(connection);
    (connection.principal as { exp: number }).exp = start / 1000 + 60;
    expiry.track(connection);
    expect(expiry.size).toBe(1);
    expiry.sweep(start + 30_000);
    expect(connection.closedWith).toBeUndefined();
    expiry.sweep(start + 60_000);
    expect(connection.closedWith).toBe(CloseCode.UNAUTHORIZED);
  });

  it('forgets a connection that went away, and catches up on seconds a late sweep skipped', () => {
    const expiry = new TokenExpiry(start);
    const gone = fakeConnection(start / 1000 + 2);
    const stays = fakeConnection(start / 1000 + 3);
    expiry.track(gone);
    expiry.track(stays);
    expiry.untrack(gone);
    // One sweep after a long stall covers every second since the previous one.
    expiry.sweep(start + 10_000);
    expect(gone.closedWith).toBeUndefined();
    expect(stays.closedWith).toBe(CloseCode.UNAUTHORIZED);
    expect(expiry.size).toBe(0);
  });

  it('closes a token that had already expired when tracked on the next turn', async () => {
    const now = Date.now();
    const expiry = new TokenExpiry(now);
    const connection = fakeConnection(Math.floor(now / 1000) - 1);
    expiry.track(connection);
    expect(connection.closedWith).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve));
    expect(connection.closedWith).toBe(CloseCode.UNAUTHORIZED);
  });
});
