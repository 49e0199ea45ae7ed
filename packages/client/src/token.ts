/** A JWT's claims without verifying them (the server verifies); undefined if unreadable. */
export function tokenClaims(token: string): Record<string, unknown> | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(
      globalThis.atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '=')),
    ) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Reads `exp` (seconds) from a JWT without verifying it; undefined if unreadable. */
export function tokenExpiry(token: string): number | undefined {
  const exp = tokenClaims(token)?.['exp'];
  return typeof exp === 'number' ? exp : undefined;
}
