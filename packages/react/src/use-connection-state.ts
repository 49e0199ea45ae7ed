import type { ClientState } from '@switchboard/client';
import { useSyncExternalStore } from 'react';
import { useSwitchboard } from './provider.js';

/** The client's connection state (`idle | connecting | open | reconnecting | closed`), live. */
export function useConnectionState(): ClientState {
  const client = useSwitchboard();
  return useSyncExternalStore(
    (notify) => client.onClient('state', notify),
    () => client.currentState,
  );
}
