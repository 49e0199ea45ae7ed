export {
  createPublisher,
  InvalidEventError,
  PUBLISHER_DEFAULTS,
  type Publisher,
  type PublisherOptions,
  type PublishInput,
  type PublishResult,
  type OfflineDeliveryJob,
  type PublisherCircuitState,
} from './publisher.js';
