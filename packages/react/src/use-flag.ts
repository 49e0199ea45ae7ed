import { useEffect, useState } from 'react';
import { type FlagSource, useFlagSource, useSwitchboard } from './provider.js';

const FLAG_EVENTS = new Set([
  'flag.created',
  'flag.updated',
  'flag.toggled',
  'flag.archived',
  'flag.rolled_back',
]);

/** One OFREP evaluation; the default value when the flag is unknown, mistyped or unreachable. */
export async function evaluateFlag<T>(source: FlagSource, key: string, fallback: T): Promise<T> {
  const token = typeof source.token === 'function' ? source.token() : source.token;
  const response = await fetch(
    `${source.baseUrl}/ofrep/v1/evaluate/flags/${encodeURIComponent(key)}`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ context: source.context ?? {} }),
    },
  );
  if (!response.ok) return fallback;
  const body = (await response.json()) as { value?: unknown };
  return typeof body.value === typeof fallback ? (body.value as T) : fallback;
}

/**
 * A flag's value for the provider's evaluation context (OFREP through the load balancer),
 * `fallback` until it is known or when it cannot be evaluated. Evaluated again when a
 * `flag.*` event for the key arrives (an admin's client in room `admin`) and after every
 * reconnect, so a toggle shows up without a reload.
 */
export function useFlag<T extends boolean | string | number>(key: string, fallback: T): T {
  const client = useSwitchboard();
  const source = useFlagSource();
  const [value, setValue] = useState<T>(fallback);
  useEffect(() => {
    if (!source) return;
    let current = true;
    let generation = 0;
    const refresh = () => {
      const mine = (generation += 1);
      evaluateFlag(source, key, fallback).then(
        (next) => {
          if (current && mine === generation) setValue(next);
        },
        () => undefined,
      );
    };
    refresh();
    const stops = [
      client.onAny((event, data) => {
        if (FLAG_EVENTS.has(event) && (data as { key?: string }).key === key) refresh();
      }),
      client.onClient('connected', refresh),
    ];
    return () => {
      current = false;
      for (const stop of stops) stop();
    };
  }, [client, source, key, fallback]);
  return value;
}
