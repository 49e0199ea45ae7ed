/** What the console reads from the JWT payload (it never verifies it: the APIs do). */
export interface Identity {
  sub: string;
  dealershipId: string;
  role: string;
  exp: number | undefined;
}

const STORAGE_KEY = 'switchboard.console.token';

export function decodeToken(token: string): Identity | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(json) as Record<string, unknown>;
    if (typeof claims['sub'] !== 'string' || typeof claims['role'] !== 'string') return undefined;
    return {
      sub: claims['sub'],
      dealershipId: typeof claims['dealershipId'] === 'string' ? claims['dealershipId'] : '',
      role: claims['role'],
      exp: typeof claims['exp'] === 'number' ? claims['exp'] : undefined,
    };
  } catch {
    return undefined;
  }
}

export function isExpired(identity: Identity, now = Date.now()): boolean {
  return identity.exp !== undefined && identity.exp * 1000 <= now;
}

/** A login link carries the token in the fragment (`#token=`), which never reaches a server. */
export function takeTokenFromLocation(): string | undefined {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (!match?.[1]) return undefined;
  history.replaceState(null, '', window.location.pathname + window.location.search);
  return decodeURIComponent(match[1]);
}

export function loadToken(): string | undefined {
  return sessionStorage.getItem(STORAGE_KEY) ?? undefined;
}

export function storeToken(token: string | undefined): void {
  if (token) sessionStorage.setItem(STORAGE_KEY, token);
  else sessionStorage.removeItem(STORAGE_KEY);
}
