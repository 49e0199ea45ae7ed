// The room log: how events are published to rooms (sequence, epoch, history, user routing,
// offline queue) and read back by the gateway. Nothing outside this package knows its keys' use,
// its scripts or its channels.
export {
  createPublisher,
  InvalidEventError,
  type Publisher,
  type PublisherOptions,
  type PublishInput,
  type PublishResult,
  type PublisherCircuitState,
} from './publisher.js';
export { CIRCUIT_STATE_NAMES, type CircuitStateName } from './circuit-state.js';
export {
  ROOM_LOG_DEFAULTS,
  RoomLogEnv,
  type RoomLogConfig,
  type RoomLogSettings,
  roomLogSettings,
} from './settings.js';
export { roomChannel, instanceChannels } from './channels.js';
export { ChannelSubscriber, type ChannelSubscriberOptions } from './channel-subscriber.js';
export { type LiveMessage, toLiveMessage, uniqueById } from './live-message.js';
export {
  type RoomPosition,
  type HistoryPageOptions,
  readPosition,
  readHistory,
  readHistoryPage,
  coversRange,
} from './history.js';
export {
  OfflineQueue,
  type OfflineQueueLimits,
  type AttachResult,
  userConnectionMember,
} from './offline-queue.js';
export { type OfflineDeliveryJob, messageIds } from './offline-jobs.js';
export { startExpiredDeliveriesWorker } from './expired-deliveries.js';
export {
  createInstanceLiveness,
  type InstanceLiveness,
  type InstanceLivenessOptions,
} from './instance-liveness.js';
export type { RoomLogLogger } from './log.js';
export {
  createUserPresence,
  type UserPresence,
  type UserPresenceOptions,
} from './user-presence.js';
export {
  eventHelpers,
  typedEvents,
  helperName,
  type EventHelpers,
  type EmitOptions,
  type HelperName,
} from './typed-events.js';
export {
  createRealtimeHttpClient,
  RealtimeApiError,
  type RealtimeHttpClient,
  type RealtimeHttpClientOptions,
  type HttpPublishOptions,
  type HttpPublishResult,
} from './http-client.js';
