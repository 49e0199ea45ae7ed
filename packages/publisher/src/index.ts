export {
  createPublisher,
  messageIds,
  InvalidEventError,
  PUBLISHER_DEFAULTS,
  type Publisher,
  type PublisherOptions,
  type PublishInput,
  type PublishResult,
  type OfflineDeliveryJob,
  type PublisherCircuitState,
} from './publisher.js';
export { createInstanceLiveness, type InstanceLiveness, type InstanceLivenessOptions } from './instance-liveness.js';
