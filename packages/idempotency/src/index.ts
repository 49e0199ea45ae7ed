export {
  idempotencyPlugin,
  fingerprintOf,
  IDEMPOTENCY_HEADER,
  REPLAYED_HEADER,
  type IdempotencyOptions,
} from './idempotency-plugin.js';
