import { useSwitchboard } from '@switchboard/react';
import { useEffect, useState } from 'react';

export interface ConnectionNote {
  at: number;
  text: string;
}

/** Connects, disconnects, migrations and resumes of the console's client, newest first. */
export function useConnectionLog(limit = 20): ConnectionNote[] {
  const client = useSwitchboard();
  const [notes, setNotes] = useState<ConnectionNote[]>([]);
  useEffect(() => {
    const add = (text: string) =>
      setNotes((previous) => [{ at: Date.now(), text }, ...previous].slice(0, limit));
    if (client.instanceId) add(`connected to ${client.instanceId}`);
    const stops = [
      client.onClient('connected', ({ instanceId }) => add(`connected to ${instanceId}`)),
      client.onClient('disconnected', ({ code, reason }) =>
        add(`disconnected (${code}${reason ? ` ${reason}` : ''}), reconnecting`),
      ),
      client.onClient('migrate', ({ reconnectInMs }) =>
        add(`gateway draining: moving in ${reconnectInMs} ms`),
      ),
      client.onClient('resumed', ({ room, recovered, replayed }) =>
        add(
          `resumed ${room}: replayed ${replayed}, gaps: ${recovered ? 'none' : 'history lost, state refetched'}`,
        ),
      ),
      client.onClient('recovery-failed', ({ room }) =>
        add(`${room}: history no longer covers the gap`),
      ),
    ];
    return () => {
      for (const stop of stops) stop();
    };
  }, [client, limit]);
  return notes;
}
