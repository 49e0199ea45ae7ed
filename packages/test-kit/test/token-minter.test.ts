import { createVerifier } from 'fast-jwt';
import { describe, expect, it } from 'vitest';
import { tokenMinter } from '../src/index.js';

describe('tokenMinter', () => {
  it('mints tokens with the given identity, role and ttl under one secret', () => {
    const tokenFor = tokenMinter('kit-secret-long-enough');
    const claims = createVerifier({ key: 'kit-secret-long-enough', algorithms: ['HS256'] })(
      tokenFor('u1', 'd1', 'agent', '2m'),
    );
    expect(claims).toMatchObject({ sub: 'u1', dealershipId: 'd1', role: 'agent' });
    expect(claims.exp - claims.iat).toBe(120);
  });
});
