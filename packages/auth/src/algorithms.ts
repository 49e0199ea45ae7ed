import { createPublicKey } from 'node:crypto';

export type Algorithm = 'HS256' | 'RS256' | 'ES256';

/** Picks the one algorithm a public key allows, so a token can never choose its own. */
export function algorithmForPublicKey(pem: string): Algorithm {
  const type = createPublicKey(pem).asymmetricKeyType;
  if (type === 'rsa') return 'RS256';
  if (type === 'ec') return 'ES256';
  throw new Error(`unsupported JWT_PUBLIC_KEY type: ${type ?? 'unknown'} (use RSA or EC P-256)`);
}
