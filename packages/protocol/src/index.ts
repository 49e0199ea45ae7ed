// The WebSocket wire protocol: the frames clients and the gateway exchange, as TypeBox schemas
// with their static types. Schemas and types only (no Node APIs), so the browser SDK can use it.
export {
  SubscribeFrame,
  UnsubscribeFrame,
  PingFrame,
  ResumeFrame,
  AuthFrame,
  AckFrame,
  ClientFrame,
  type ClientFrameType,
  clientFrameSchemas,
  clientFrameTypes,
} from './client-frames.js';
export {
  ConnectionEstablishedFrame,
  EventFrame,
  SubscribedFrame,
  UnsubscribedFrame,
  ResumedFrame,
  PongFrame,
  ErrorFrame,
  MigrateFrame,
  AuthOkFrame,
  ServerFrame,
} from './server-frames.js';
