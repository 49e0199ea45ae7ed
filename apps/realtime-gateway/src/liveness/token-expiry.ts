import { CloseCode } from '@switchboard/events';
import type { ClientConnection } from '../connection/client-connection.js';

/** Longest delay setTimeout holds (~24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Closes the connection 4401 when its token expires. Called again when an `auth` frame brings
 * a new token: the new expiry replaces the old one.
 */
export function closeWhenTokenExpires(connection: ClientConnection, now = Date.now()): void {
  const inMs = connection.principal.exp * 1000 - now;
  // setTimeout holds at most ~24.8 days: a longer-lived token is looked at again then.
  if (inMs > MAX_TIMER_MS)
    connection.armExpiry(MAX_TIMER_MS, () => closeWhenTokenExpires(connection));
  else
    connection.armExpiry(Math.max(0, inMs), () =>
      connection.close(CloseCode.UNAUTHORIZED, 'token expired'),
    );
}
