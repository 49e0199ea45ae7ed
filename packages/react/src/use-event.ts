import type { EventMeta } from '@switchboard/client';
import { useEffect, useRef, useState } from 'react';
import { useSwitchboard } from './provider.js';

export interface LastEvent<T> {
  data: T;
  meta: EventMeta;
}

/**
 * The newest event of one type from any room the client is in (rooms are joined with
 * `useRoom`), or undefined until one arrives. `handler`, if given, sees every one of them.
 */
export function useEvent<T = unknown>(
  type: string,
  handler?: (data: T, meta: EventMeta) => void,
): LastEvent<T> | undefined {
  const client = useSwitchboard();
  const [last, setLast] = useState<LastEvent<T> | undefined>(undefined);
  const handlerRef = useRef(handler);
  handlerRef.current = handler;
  useEffect(
    () =>
      client.onAny((event, data, meta) => {
        if (event !== type) return;
        handlerRef.current?.(data as T, meta);
        setLast({ data: data as T, meta });
      }),
    [client, type],
  );
  return last;
}
