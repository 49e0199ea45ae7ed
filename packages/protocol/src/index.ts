// The WebSocket wire protocol: the frames clients and the gateway exchange, as TypeBox schemas
// with their static types. Schemas and types only (no Node APIs), so the browser SDK can use it.
export * from './client-frames.js';
export * from './server-frames.js';
export * from './event-patterns.js';
