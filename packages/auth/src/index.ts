export {
  Role,
  type RoleName,
  Principal,
  type PrincipalClaims,
  ServiceScope,
  type ServiceScopeName,
  SERVICE_SCOPES,
  ALL_DEALERSHIPS,
  hasScope,
} from './principal.js';
export {
  RevocationList,
  type RevocationCheck,
  type RevocationKeys,
  type RevocationListOptions,
  revokeToken,
} from './revocation.js';
export {
  authPlugin,
  type AuthPluginOptions,
  type AuthKeys,
  authKeysFromEnv,
} from './auth-plugin.js';
export { requireRole } from './require-role.js';
export { assertTenantAccess, canAccessDealership, dealershipFilter } from './tenant.js';
export { tokenFromUpgrade, type UpgradeRequestParts } from './token-from-request.js';
export { mintToken, type MintTokenInput, type SigningKey } from './mint-token.js';
export { algorithmForPublicKey } from './algorithms.js';
