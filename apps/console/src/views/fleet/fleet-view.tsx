import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../../api/api-context.js';
import { ErrorMessage } from '../../components/error-message.js';
import { StateBadge } from '../../components/state-badge.js';
import { useSession } from '../../session/session.js';
import { SandboxDetail } from './sandbox-detail.js';
import type { BulkResult, Sandbox, SandboxPage } from './sandbox-types.js';
import { useLiveSandboxes } from './use-live-sandboxes.js';

const STATES = ['', 'active', 'paused', 'error', 'terminated'];
// Live rooms an admin follows at most: one per dealership shown.
const MAX_LIVE_DEALERSHIPS = 50;

function LiveDealership({ id }: { id: string }) {
  useLiveSandboxes(id);
  return null;
}

export function FleetView() {
  const request = useApi();
  const { identity, isAdmin } = useSession();
  const queryClient = useQueryClient();
  const [state, setState] = useState('');
  const [q, setQ] = useState('');
  const [dealership, setDealership] = useState('');
  const [reason, setReason] = useState('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<string | undefined>(undefined);

  const params = new URLSearchParams({ limit: '200' });
  if (state) params.set('state', state);
  if (q) params.set('q', q);
  if (isAdmin && dealership) params.set('dealershipId', dealership);
  const list = useQuery({
    queryKey: ['sandboxes', params.toString()],
    queryFn: () => request<SandboxPage>('GET', `/api/sandbox?${params}`),
  });
  const items = list.data?.items ?? [];
  const dealerships = [
    ...new Set([identity.dealershipId, ...(isAdmin ? items.map((s) => s.dealershipId) : [])]),
  ].slice(0, MAX_LIVE_DEALERSHIPS);

  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['sandboxes'] });
  const body = reason.trim() ? { reason: reason.trim() } : {};
  const single = useMutation({
    mutationFn: ({ action, id }: { action: 'pause' | 'resume'; id: string }) =>
      request<Sandbox>('POST', `/api/sandbox/${action}/${encodeURIComponent(id)}`, body),
    onSuccess: refresh,
  });
  const bulk = useMutation({
    mutationFn: (action: 'pause' | 'resume') =>
      request<BulkResult>('POST', `/api/sandbox/bulk/${action}`, { ids: [...selected], ...body }),
    onSuccess: refresh,
  });

  const toggle = (id: string) =>
    setSelected((previous) => {
      const next = new Set(previous);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const allSelected = items.length > 0 && items.every((sandbox) => selected.has(sandbox.id));

  return (
    <section aria-labelledby="fleet-title">
      {dealerships.map((id) => (
        <LiveDealership key={id} id={id} />
      ))}
      <h1 id="fleet-title">Fleet</h1>
      <form className="filters" role="search" onSubmit={(event) => event.preventDefault()}>
        <label>
          Search
          <input
            type="search"
            value={q}
            onChange={(event) => setQ(event.target.value)}
            placeholder="id or name"
          />
        </label>
        <label>
          State
          <select value={state} onChange={(event) => setState(event.target.value)}>
            {STATES.map((value) => (
              <option key={value} value={value}>
                {value || 'any'}
              </option>
            ))}
          </select>
        </label>
        {isAdmin && (
          <label>
            Dealership
            <input
              value={dealership}
              onChange={(event) => setDealership(event.target.value)}
              placeholder="all"
            />
          </label>
        )}
        <label className="grow">
          Reason (for pause / resume)
          <input
            value={reason}
            maxLength={500}
            onChange={(event) => setReason(event.target.value)}
            placeholder="e.g. maintenance window"
          />
        </label>
      </form>
      <div className="toolbar" aria-live="polite">
        <span>
          {items.length} sandbox{items.length === 1 ? '' : 'es'}
          {selected.size > 0 && `, ${selected.size} selected`}
        </span>
        <button
          type="button"
          disabled={selected.size === 0 || bulk.isPending}
          onClick={() => bulk.mutate('pause')}
        >
          Pause selected
        </button>
        <button
          type="button"
          disabled={selected.size === 0 || bulk.isPending}
          onClick={() => bulk.mutate('resume')}
        >
          Resume selected
        </button>
        {bulk.data && (
          <span data-testid="bulk-summary">
            {bulk.data.summary.succeeded} done, {bulk.data.summary.failed} failed
            {bulk.data.results
              .filter((result) => !result.success)
              .slice(0, 3)
              .map((result) => ` · ${result.id}: ${result.error?.code}`)
              .join('')}
          </span>
        )}
      </div>
      <ErrorMessage error={list.error ?? single.error ?? bulk.error} />
      {list.isPending && <p>Loading sandboxes…</p>}
      <div className="table-wrap">
        <table className="grid">
          <thead>
            <tr>
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label="Select all"
                  checked={allSelected}
                  onChange={() =>
                    setSelected(allSelected ? new Set() : new Set(items.map((s) => s.id)))
                  }
                />
              </th>
              <th scope="col">Sandbox</th>
              <th scope="col">State</th>
              {isAdmin && (
                <th scope="col" className="hide-narrow">
                  Dealership
                </th>
              )}
              <th scope="col" className="hide-narrow">
                Paused
              </th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.map((sandbox) => (
              <tr key={sandbox.id} data-sandbox={sandbox.id} data-state={sandbox.state}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select ${sandbox.name ?? sandbox.id}`}
                    checked={selected.has(sandbox.id)}
                    onChange={() => toggle(sandbox.id)}
                  />
                </td>
                <td>
                  <button type="button" className="link" onClick={() => setOpen(sandbox.id)}>
                    {sandbox.name ?? '(unnamed)'}
                  </button>
                  <div className="muted mono id">{sandbox.id}</div>
                </td>
                <td>
                  <StateBadge state={sandbox.state} />
                </td>
                {isAdmin && <td className="hide-narrow">{sandbox.dealershipId}</td>}
                <td className="muted hide-narrow">
                  {sandbox.pausedAt
                    ? `${sandbox.pauseReason ?? 'no reason'} (${sandbox.pauseSource ?? ''})`
                    : '—'}
                </td>
                <td>
                  {sandbox.state === 'active' && (
                    <button
                      type="button"
                      onClick={() => single.mutate({ action: 'pause', id: sandbox.id })}
                    >
                      Pause
                    </button>
                  )}
                  {sandbox.state === 'paused' && (
                    <button
                      type="button"
                      onClick={() => single.mutate({ action: 'resume', id: sandbox.id })}
                    >
                      Resume
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {list.data?.nextCursor && <p className="muted">Showing the newest 200; narrow the search.</p>}
      {open && <SandboxDetail id={open} onClose={() => setOpen(undefined)} />}
    </section>
  );
}
