import { SwitchboardClient } from '@switchboard/client';
import { SwitchboardProvider } from '@switchboard/react';
import { type ReactNode, useEffect, useMemo, useState } from 'react';

interface Props {
  token: string;
  /** Gateway URL; default: `/ws` on the console's own origin (the load balancer). */
  url?: string;
  /** Called when the gateway refuses the token (close 4401), to go back to the token screen. */
  onUnauthorized(): void;
  children: ReactNode;
}

function gatewayUrl(location: Location = window.location): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
}

/** One WebSocket for the whole console, through the load balancer, for as long as the token. */
export function LiveConnection({ token, url, onUnauthorized, children }: Props) {
  const [client] = useState(() => new SwitchboardClient({ url: url ?? gatewayUrl(), token }));
  const flags = useMemo(() => ({ baseUrl: '', token }), [token]);
  useEffect(() => {
    const stop = client.onClient('disconnected', ({ code }) => {
      if (code === 4401) onUnauthorized();
    });
    client.connect().catch(() => undefined);
    return () => {
      stop();
      client.close();
    };
  }, [client, onUnauthorized]);
  return (
    <SwitchboardProvider client={client} flags={flags}>
      {children}
    </SwitchboardProvider>
  );
}
