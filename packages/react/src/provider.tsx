import type { SwitchboardClient } from '@switchboard/client';
import { type ReactNode, createContext, useContext } from 'react';

/** Where `useFlag` evaluates flags: the OFREP endpoint behind the load balancer. */
export interface FlagSource {
  /** Origin of the load balancer, e.g. `https://switchboard.example.com` ('' = same origin). */
  baseUrl: string;
  /** The bearer token, or a function returning the current one (refresh). */
  token: string | (() => string);
  /** Evaluation context sent with every evaluation (targetingKey, environment, ...). */
  context?: Record<string, unknown>;
}

interface SwitchboardContextValue {
  client: SwitchboardClient;
  flags: FlagSource | undefined;
}

const SwitchboardContext = createContext<SwitchboardContextValue | undefined>(undefined);

export interface SwitchboardProviderProps {
  /** One client for the whole tree; the provider neither connects nor closes it. */
  client: SwitchboardClient;
  flags?: FlagSource;
  children?: ReactNode;
}

export function SwitchboardProvider({ client, flags, children }: SwitchboardProviderProps) {
  return (
    <SwitchboardContext.Provider value={{ client, flags }}>{children}</SwitchboardContext.Provider>
  );
}

function useSwitchboardContext(): SwitchboardContextValue {
  const value = useContext(SwitchboardContext);
  if (!value) throw new Error('Switchboard hooks need a <SwitchboardProvider> above them');
  return value;
}

/** The client of the nearest provider. */
export function useSwitchboard(): SwitchboardClient {
  return useSwitchboardContext().client;
}

export function useFlagSource(): FlagSource | undefined {
  return useSwitchboardContext().flags;
}
