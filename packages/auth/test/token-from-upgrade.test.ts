import { describe, expect, it } from 'vitest';
import { tokenFromUpgrade } from '../src/index.js';

describe('tokenFromUpgrade on a raw upgrade request', () => {
  it('reads the Bearer header first, else the ?token= parameter', () => {
    expect(
      tokenFromUpgrade({ headers: { authorization: 'Bearer from-header' }, url: '/ws?token=q' }),
    ).toBe('from-header');
    expect(tokenFromUpgrade({ headers: {}, url: '/ws?room=a&token=from%2Equery' })).toBe(
      'from.query',
    );
    expect(tokenFromUpgrade({ headers: { authorization: 'Basic dTpw' }, url: '/ws?token=q' })).toBe(
      'q',
    );
  });

  it('finds no token without either, with an empty parameter, or a repeated one', () => {
    expect(tokenFromUpgrade({ headers: {}, url: '/ws' })).toBeUndefined();
    expect(tokenFromUpgrade({ headers: {} })).toBeUndefined();
    expect(tokenFromUpgrade({ headers: {}, url: '/ws?token=' })).toBeUndefined();
    // Fastify's query parser makes a repeated parameter an array, which was never a token.
    expect(tokenFromUpgrade({ headers: {}, url: '/ws?token=a&token=b' })).toBeUndefined();
  });
});
