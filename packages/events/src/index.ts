export {
  EventCatalog,
  type EventType,
  type EventData,
  eventTypes,
  isEventType,
} from './catalog/index.js';
export { PublishedEvent, type PublishedEventMessage } from './published-event.js';
export { TraceContext } from './trace-context.js';
export { parseMessage } from './parse-message.js';
export {
  rooms,
  RoomName,
  parseRoom,
  roomKey,
  GLOBAL_ROOM,
  ADMIN_ROOM,
  type RoomKind,
  type ParsedRoom,
} from './rooms.js';
export { CloseCode } from './close-codes.js';
export { eventProblem, eventFieldProblem } from './validate-event.js';
