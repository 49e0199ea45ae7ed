/** Reads `exp` (seconds) from a JWT without verifying it (the server verifies); undefined if unreadable. */
export function tokenExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const json = JSON.parse(
      globalThis.atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '=')),
    ) as { exp?: unknown };
    return typeof json.exp === 'number' ? json.exp : undefined;
  } catch {
    return undefined;
  }
}
