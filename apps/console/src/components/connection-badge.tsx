import { useConnectionState } from '@switchboard/react';

const LABELS: Record<string, string> = {
  idle: 'not connected',
  connecting: 'connecting…',
  open: 'live',
  reconnecting: 'reconnecting…',
  closed: 'disconnected',
};

/** The WebSocket state in the header: every view is live only while this says "live". */
export function ConnectionBadge() {
  const state = useConnectionState();
  return (
    <span className={`badge conn-${state}`} role="status" data-testid="connection-state">
      {LABELS[state] ?? state}
    </span>
  );
}
