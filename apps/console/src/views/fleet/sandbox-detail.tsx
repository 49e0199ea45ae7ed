import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useApi } from '../../api/api-context.js';
import { ApiError } from '../../api/api-error.js';
import { ErrorMessage } from '../../components/error-message.js';
import { StateBadge } from '../../components/state-badge.js';
import type { HistoryEntry, Sandbox } from './sandbox-types.js';

type AutoPause = NonNullable<NonNullable<Sandbox['settings']>['autoPause']>;
const RULES: { key: keyof AutoPause; label: string }[] = [
  { key: 'idleTimeoutSec', label: 'Idle timeout (s)' },
  { key: 'maxExecutionTimeSec', label: 'Max execution time (s)' },
  { key: 'maxMemoryMb', label: 'Max memory (MB)' },
];

/** One sandbox: status, pause history, auto-pause settings and a tool run. */
export function SandboxDetail({ id, onClose }: { id: string; onClose(): void }) {
  const request = useApi();
  const path = `/api/sandbox/${encodeURIComponent(id)}`;
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [id]);
  const status = useQuery({
    queryKey: ['sandbox', id, 'status'],
    queryFn: () => request<Sandbox>('GET', `${path}/status`),
  });
  const history = useQuery({
    queryKey: ['sandbox', id, 'history'],
    queryFn: () => request<{ items: HistoryEntry[] }>('GET', `${path}/pause-history?limit=20`),
  });
  const sandbox = status.data;
  return (
    <aside className="panel" aria-labelledby="detail-title">
      <div className="panel-head">
        <h2 id="detail-title" tabIndex={-1} ref={heading}>
          {sandbox?.name ?? id}
        </h2>
        <button type="button" onClick={onClose} aria-label="Close details">
          Close
        </button>
      </div>
      <ErrorMessage error={status.error} />
      {sandbox && (
        <p>
          <StateBadge state={sandbox.state} /> <span className="mono">{sandbox.id}</span>
          {sandbox.pausedAt &&
            ` — paused ${new Date(sandbox.pausedAt).toLocaleString()} by ${sandbox.pausedBy ?? '?'}: ${sandbox.pauseReason ?? 'no reason'}`}
        </p>
      )}
      {sandbox && <ToolRun path={path} />}
      {sandbox && <AutoPauseForm path={path} sandbox={sandbox} />}
      <h3>Pause history</h3>
      <ErrorMessage
        error={history.error}
        notFound="Pause history is off here (flag SANDBOX_PAUSE_RESUME)."
      />
      <ol className="history">
        {history.data?.items.map((entry) => (
          <li key={entry.seq}>
            <time dateTime={entry.timestamp}>{new Date(entry.timestamp).toLocaleString()}</time>{' '}
            <strong>{entry.action}</strong> {entry.from ?? '∅'} → {entry.to} by {entry.actor} (
            {entry.source}){entry.reason ? `: ${entry.reason}` : ''}
          </li>
        ))}
      </ol>
    </aside>
  );
}

function AutoPauseForm({ path, sandbox }: { path: string; sandbox: Sandbox }) {
  const request = useApi();
  const queryClient = useQueryClient();
  const current = sandbox.settings?.autoPause ?? {};
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(RULES.map(({ key }) => [key, current[key] ? String(current[key]) : ''])),
  );
  const save = useMutation({
    mutationFn: () =>
      request<Sandbox>('PUT', `${path}/pause-settings`, {
        autoPause: Object.fromEntries(
          RULES.map(({ key }) => [key, values[key] ? Number(values[key]) : null]),
        ),
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['sandbox', sandbox.id] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form className="stack" onSubmit={submit}>
      <h3>Auto-pause</h3>
      <div className="row">
        {RULES.map(({ key, label }) => (
          <label key={key}>
            {label}
            <input
              type="number"
              min={1}
              value={values[key]}
              placeholder="off"
              onChange={(event) =>
                setValues((previous) => ({ ...previous, [key]: event.target.value }))
              }
            />
          </label>
        ))}
      </div>
      <button type="submit" disabled={save.isPending}>
        Save auto-pause
      </button>
      {save.isSuccess && <span role="status"> Saved.</span>}
      <ErrorMessage error={save.error} />
    </form>
  );
}

function ToolRun({ path }: { path: string }) {
  const request = useApi();
  const [message, setMessage] = useState('hello');
  const run = useMutation({
    mutationFn: () =>
      request<{ executionId: string; state: string; output?: unknown }>(
        'POST',
        `${path}/tools/execute?wait=5`,
        { tool: 'echo', input: { message } },
      ),
  });
  const locked = run.error instanceof ApiError && run.error.status === 423;
  return (
    <form
      className="stack"
      onSubmit={(event) => {
        event.preventDefault();
        run.mutate();
      }}
    >
      <h3>Run a tool</h3>
      <div className="row">
        <label>
          echo message
          <input value={message} onChange={(event) => setMessage(event.target.value)} />
        </label>
        <button type="submit" disabled={run.isPending}>
          Run echo
        </button>
      </div>
      {locked ? (
        <p role="alert" className="warn">
          <strong>Paused — resume to run.</strong> <code>RESOURCE_LOCKED · HTTP 423</code>
        </p>
      ) : (
        <ErrorMessage error={run.error} />
      )}
      {run.data && <pre className="json">{JSON.stringify(run.data, null, 2)}</pre>}
    </form>
  );
}
