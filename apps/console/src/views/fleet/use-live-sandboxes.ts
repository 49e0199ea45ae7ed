import { useQueryClient } from '@tanstack/react-query';
import { useRoom } from '@switchboard/react';
import type { Sandbox, SandboxPage } from './sandbox-types.js';

interface SandboxEvent {
  sandboxId: string;
  state: string;
  actor?: string;
  at: string;
  reason?: string;
  source?: string;
}

/**
 * Follows `dealership:<id>` and applies each sandbox.* event to the cached lists at once
 * (state, pause fields), then refetches in the background for anything an event does not carry.
 */
export function useLiveSandboxes(dealershipId: string): void {
  const queryClient = useQueryClient();
  useRoom(`dealership:${dealershipId}`, {
    limit: 1,
    onEvent: ({ event, data }) => {
      if (!event.startsWith('sandbox.') || event.startsWith('sandbox.execution')) return;
      const change = data as SandboxEvent;
      const patch = (sandbox: Sandbox): Sandbox =>
        sandbox.id !== change.sandboxId
          ? sandbox
          : {
              ...sandbox,
              state: change.state,
              ...(change.state === 'paused'
                ? {
                    pausedAt: change.at,
                    pauseReason: change.reason ?? null,
                    pausedBy: change.actor ?? null,
                    pauseSource: change.source ?? null,
                  }
                : { pausedAt: null, pauseReason: null, pausedBy: null, pauseSource: null }),
            };
      queryClient.setQueriesData<SandboxPage>({ queryKey: ['sandboxes'] }, (page) =>
        page ? { ...page, items: page.items.map(patch) } : page,
      );
      void queryClient.invalidateQueries({ queryKey: ['sandboxes'] });
      void queryClient.invalidateQueries({ queryKey: ['sandbox', change.sandboxId] });
    },
  });
}
