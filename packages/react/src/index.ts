export {
  SwitchboardProvider,
  useSwitchboard,
  type FlagSource,
  type SwitchboardProviderProps,
} from './provider.js';
export { useConnectionState } from './use-connection-state.js';
export { useRoom, type RoomEvent, type RoomState, type UseRoomOptions } from './use-room.js';
export { useEvent, type LastEvent } from './use-event.js';
export { useFlag, evaluateFlag } from './use-flag.js';
