import { type Static, Type } from '@sinclair/typebox';

export const Role = Type.Union([
  Type.Literal('admin'),
  Type.Literal('user'),
  Type.Literal('agent'),
]);
export type RoleName = Static<typeof Role>;

/** The claims every Switchboard token must carry (SPEC.md, Identity). */
export const Principal = Type.Object({
  sub: Type.String({ minLength: 1, maxLength: 256 }),
  dealershipId: Type.String({ minLength: 1, maxLength: 256 }),
  role: Role,
  exp: Type.Integer(),
  iat: Type.Optional(Type.Integer()),
  nbf: Type.Optional(Type.Integer()),
});
export type PrincipalClaims = Static<typeof Principal>;
