export {
  type FlagContext,
  type FlagReader,
  staticFlagReader,
  FLAGS,
  type WellKnownFlag,
} from './flag-reader.js';
export * from './model/flag-schema.js';
export { normalizeDefinition, bodyOf, type FlagBody } from './model/normalize.js';
export {
  evaluateFlag,
  isEnabledResult,
  offVariantOf,
  pickRolloutVariant,
  DEFAULT_STICKINESS,
} from './engine/evaluate.js';
export { bucketOf, BUCKETS } from './engine/bucket.js';
export { constraintHolds } from './engine/operators.js';
export { validateFlag, type ValidationIssue } from './engine/validate-flag.js';
export {
  safeRegexTest,
  compileSafeRegex,
  MAX_PATTERN_LENGTH,
  MAX_REGEX_INPUT_LENGTH,
} from './engine/safe-regex.js';
export {
  createFlagStore,
  type FlagStore,
  type FlagStoreOptions,
  type FlagAction,
  type FlagVersion,
  type AuditEntry,
  type Actor,
  type WriteResult,
  type FlagOutboxEntry,
} from './store/flag-store.js';
export { FlagStoreError, type FlagStoreErrorKind } from './store/flag-store-error.js';
export { flagCommands, type FlagCommands } from './store/flag-commands.js';
export { jsonDiff, type DiffEntry } from './store/json-diff.js';
export {
  FlagsClient,
  createFlagsClient,
  type FlagsClientOptions,
  type FlagChange,
  type EnsureFlag,
  type FlagsLogger,
} from './client/flags-client.js';
export { SwitchboardFlagsProvider } from './client/openfeature-provider.js';
export {
  startServiceFlags,
  withServiceFlags,
  type FlagsHost,
  type ServiceFlags,
  type ServiceFlagsOptions,
} from './client/service-flags.js';
