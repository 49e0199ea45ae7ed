import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRoom } from '@switchboard/react';
import { useState } from 'react';
import { useApi } from '../../api/api-context.js';
import { ErrorMessage } from '../../components/error-message.js';
import { FlagDetail } from './flag-detail.js';
import type { Flag } from './flag-types.js';

/** Flag changes made by anyone (room `admin`) refresh what this console shows. */
function useLiveFlags(): string | undefined {
  const queryClient = useQueryClient();
  const [last, setLast] = useState<string | undefined>(undefined);
  useRoom('admin', {
    limit: 1,
    onEvent: ({ event, data }) => {
      if (!event.startsWith('flag.')) return;
      const change = data as { key: string; version: number; actor: string };
      setLast(`${change.key} v${change.version} ${event.slice(5)} by ${change.actor}`);
      void queryClient.invalidateQueries({ queryKey: ['flags'] });
      void queryClient.invalidateQueries({ queryKey: ['flag', change.key] });
    },
  });
  return last;
}

export function FlagsView() {
  const request = useApi();
  const queryClient = useQueryClient();
  const [q, setQ] = useState('');
  const [reason, setReason] = useState('');
  const [open, setOpen] = useState<string | undefined>(undefined);
  const last = useLiveFlags();
  const list = useQuery({
    queryKey: ['flags', q],
    queryFn: () =>
      request<{ items: Flag[] }>(
        'GET',
        `/api/flags?limit=500${q ? `&q=${encodeURIComponent(q)}` : ''}`,
      ),
  });
  const toggle = useMutation({
    mutationFn: (flag: Flag) =>
      request<Flag>('POST', `/api/flags/${encodeURIComponent(flag.key)}/toggle`, {
        enabled: !flag.enabled,
        ...(reason.trim() ? { reason: reason.trim() } : {}),
      }),
    onSuccess: (flag) => {
      queryClient.setQueriesData<{ items: Flag[] }>({ queryKey: ['flags'] }, (page) =>
        page
          ? { ...page, items: page.items.map((item) => (item.key === flag.key ? flag : item)) }
          : page,
      );
    },
  });
  return (
    <section aria-labelledby="flags-title">
      <h1 id="flags-title">Flags</h1>
      <form className="filters" role="search" onSubmit={(event) => event.preventDefault()}>
        <label>
          Search
          <input type="search" value={q} onChange={(event) => setQ(event.target.value)} />
        </label>
        <label className="grow">
          Reason (recorded in the audit)
          <input
            value={reason}
            maxLength={500}
            onChange={(event) => setReason(event.target.value)}
            placeholder="why this change"
          />
        </label>
      </form>
      <p className="muted" aria-live="polite" data-testid="last-flag-change">
        {last ? `Last change: ${last}` : 'Changes by other operators appear here live.'}
      </p>
      <ErrorMessage error={list.error ?? toggle.error} />
      <div className="table-wrap">
        <table className="grid">
          <thead>
            <tr>
              <th scope="col">Flag</th>
              <th scope="col">Enabled</th>
              <th scope="col">Version</th>
              <th scope="col" className="hide-narrow">
                Rules
              </th>
              <th scope="col" className="hide-narrow">
                Updated
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((flag) => (
              <tr key={flag.key} data-flag={flag.key} data-enabled={flag.enabled}>
                <td>
                  <button type="button" className="link" onClick={() => setOpen(flag.key)}>
                    {flag.key}
                  </button>
                  {flag.description && <div className="muted hide-narrow">{flag.description}</div>}
                </td>
                <td>
                  <label className="switch">
                    <input
                      type="checkbox"
                      role="switch"
                      checked={flag.enabled}
                      aria-label={`${flag.key} enabled`}
                      disabled={toggle.isPending}
                      onChange={() => toggle.mutate(flag)}
                    />
                    <span>{flag.enabled ? 'on' : 'off'}</span>
                  </label>
                </td>
                <td className="mono">v{flag.version}</td>
                <td className="hide-narrow">{flag.rules?.length ?? 0}</td>
                <td className="muted hide-narrow">
                  {flag.updatedBy ?? ''}{' '}
                  {flag.updatedAt ? new Date(flag.updatedAt).toLocaleString() : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {open && <FlagDetail flagKey={open} reason={reason} onClose={() => setOpen(undefined)} />}
    </section>
  );
}
