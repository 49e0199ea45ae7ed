export {
  createOutbox,
  type Outbox,
  type OutboxEvent,
  type OutboxKeys,
  type OutboxLog,
  type OutboxOptions,
  type RelayResult,
} from './outbox.js';
