export { SwitchboardClient, type ClientOptions, type ClientEvents, type ClientState, type EventMeta, type TokenSource, type WebSocketLike, type WebSocketConstructor } from './client.js';
export { backoffDelay, type BackoffOptions } from './backoff.js';
export { CloseCodes, type EventFrame, type ServerFrame } from './frames.js';
export { RecentIds } from './dedup.js';
