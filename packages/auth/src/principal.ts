import { type Static, Type } from '@sinclair/typebox';

export const Role = Type.Union([
  Type.Literal('admin'),
  Type.Literal('user'),
  Type.Literal('agent'),
  Type.Literal('service'),
]);
export type RoleName = Static<typeof Role>;

/** What a `service` token may do on the server API; other roles carry no scope. */
export const ServiceScope = Type.Union([
  Type.Literal('publish'),
  Type.Literal('history'),
  Type.Literal('presence'),
  Type.Literal('disconnect'),
]);
export type ServiceScopeName = Static<typeof ServiceScope>;
export const SERVICE_SCOPES: readonly ServiceScopeName[] = [
  'publish',
  'history',
  'presence',
  'disconnect',
];

/**
 * The dealershipId of a service token that acts for every dealership (it names the target
 * dealership per request). Never a real dealership id: ids are [A-Za-z0-9_.-].
 */
export const ALL_DEALERSHIPS = '*';

/** The claims every Switchboard token must carry (SPEC.md, Identity). */
export const Principal = Type.Object({
  sub: Type.String({ minLength: 1, maxLength: 256 }),
  dealershipId: Type.String({ minLength: 1, maxLength: 256 }),
  role: Role,
  exp: Type.Integer(),
  iat: Type.Optional(Type.Integer()),
  nbf: Type.Optional(Type.Integer()),
  /** Token id: long-lived tokens carry one so they can be revoked (deny-list). */
  jti: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  scope: Type.Optional(Type.Array(ServiceScope, { maxItems: 4, uniqueItems: true })),
});
export type PrincipalClaims = Static<typeof Principal>;

/** True when a service token carries `scope`; other roles never do. */
export function hasScope(principal: PrincipalClaims, scope: ServiceScopeName): boolean {
  return principal.role === 'service' && (principal.scope ?? []).includes(scope);
}
