export {
  SwitchboardClient,
  type ClientOptions,
  type ClientEvents,
  type ClientState,
  type EventMeta,
  type SubscribeOptions,
  type TokenSource,
  type WebSocketLike,
  type WebSocketConstructor,
} from './client.js';
export { backoffDelay, type BackoffOptions } from './backoff.js';
/** The frames the client exchanges with the gateway and its close codes (docs/api/websocket.md). */
export type { ClientFrame, EventFrame, ServerFrame } from '@switchboard/protocol';
export { CloseCode as CloseCodes } from '@switchboard/events';
export { RecentIds } from './dedup.js';
export {
  createAgent,
  TaskFailure,
  type Agent,
  type AgentOptions,
  type AgentTask,
  type TaskContext,
  type TaskHandler,
} from './agent.js';
