import { type ReactNode, createContext, useCallback, useContext, useMemo, useState } from 'react';
import {
  type Identity,
  decodeToken,
  isExpired,
  loadToken,
  storeToken,
  takeTokenFromLocation,
} from './token.js';

export interface Session {
  token: string;
  identity: Identity;
  isAdmin: boolean;
}

interface SessionContextValue {
  session: Session | undefined;
  /** Why the last session ended (a 401, an expired token), shown on the token screen. */
  notice: string | undefined;
  signIn(token: string): string | undefined;
  signOut(notice?: string): void;
}

const SessionContext = createContext<SessionContextValue | undefined>(undefined);

function sessionOf(token: string | undefined): Session | undefined {
  const identity = token ? decodeToken(token) : undefined;
  if (!token || !identity || isExpired(identity)) return undefined;
  return { token, identity, isAdmin: identity.role === 'admin' };
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | undefined>(() => {
    const fromLink = takeTokenFromLocation();
    if (fromLink) storeToken(fromLink);
    return sessionOf(fromLink ?? loadToken());
  });
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const signIn = useCallback((token: string) => {
    const identity = decodeToken(token.trim());
    if (!identity) return 'This is not a JWT with sub and role claims.';
    if (isExpired(identity)) return 'This token has expired: mint a new one.';
    storeToken(token.trim());
    setNotice(undefined);
    setSession(sessionOf(token.trim()));
    return undefined;
  }, []);
  const signOut = useCallback((why?: string) => {
    storeToken(undefined);
    setNotice(why);
    setSession(undefined);
  }, []);
  const value = useMemo(
    () => ({ session, notice, signIn, signOut }),
    [session, notice, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSessionControl(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSessionControl needs a <SessionProvider>');
  return value;
}

/** The signed-in session; only rendered below the token screen, so it always exists. */
export function useSession(): Session {
  const { session } = useSessionControl();
  if (!session) throw new Error('no session');
  return session;
}
