import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useApi } from '../../api/api-context.js';
import { ErrorMessage } from '../../components/error-message.js';
import { definitionOf, rolloutPercent, withRolloutPercent } from './definition.js';
import { DiffList } from './diff-list.js';
import type { AuditEntry, Flag, FlagRule, FlagVersion } from './flag-types.js';
import { jsonDiff } from './json-diff.js';

interface Props {
  flagKey: string;
  reason: string;
  onClose(): void;
}

/** One flag: rollout, rules, versions with their diffs and rollback, and its audit. */
export function FlagDetail({ flagKey, reason, onClose }: Props) {
  const request = useApi();
  const queryClient = useQueryClient();
  const path = `/api/flags/${encodeURIComponent(flagKey)}`;
  const why = reason.trim() ? { reason: reason.trim() } : {};
  const flag = useQuery({ queryKey: ['flag', flagKey], queryFn: () => request<Flag>('GET', path) });
  const versions = useQuery({
    queryKey: ['flag', flagKey, 'versions'],
    queryFn: () =>
      request<{ items: FlagVersion[]; total: number }>('GET', `${path}/versions?limit=100`),
  });
  const audit = useQuery({
    queryKey: ['flag', flagKey, 'audit'],
    queryFn: () => request<{ items: AuditEntry[] }>('GET', `${path}/audit?limit=20`),
  });
  const done = () => {
    void queryClient.invalidateQueries({ queryKey: ['flag', flagKey] });
    void queryClient.invalidateQueries({ queryKey: ['flags'] });
  };
  const update = useMutation({
    mutationFn: (rules: FlagRule[]) =>
      request<Flag>('PUT', path, {
        ...definitionOf(flag.data!),
        rules,
        version: flag.data!.version,
        ...why,
      }),
    onSuccess: done,
  });
  const rollback = useMutation({
    mutationFn: (version: number) => request<Flag>('POST', `${path}/rollback`, { version, ...why }),
    onSuccess: done,
  });

  const current = flag.data;
  const [percent, setPercent] = useState(0);
  const [rulesText, setRulesText] = useState('[]');
  const [rulesError, setRulesError] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (!current) return;
    setPercent(rolloutPercent(current) ?? 100);
    setRulesText(JSON.stringify(current.rules ?? [], null, 2));
  }, [current]);
  const saveRules = () => {
    try {
      const rules = JSON.parse(rulesText) as unknown;
      if (!Array.isArray(rules)) throw new Error('The rules are a JSON array.');
      setRulesError(undefined);
      update.mutate(rules as FlagRule[]);
    } catch (error) {
      setRulesError((error as Error).message);
    }
  };
  const items = versions.data?.items ?? [];

  return (
    <aside className="panel" aria-labelledby="flag-title">
      <div className="panel-head">
        <h2 id="flag-title">
          {flagKey} {current && <span className="muted">v{current.version}</span>}
        </h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <ErrorMessage error={flag.error ?? update.error ?? rollback.error} />
      {current && (
        <>
          <form
            className="row"
            onSubmit={(event) => {
              event.preventDefault();
              update.mutate(withRolloutPercent(current, percent));
            }}
          >
            <label className="grow">
              Rollout: {percent}% get “{current.defaultVariant}”
              <input
                type="range"
                min={0}
                max={100}
                value={percent}
                onChange={(event) => setPercent(Number(event.target.value))}
              />
            </label>
            <button type="submit" disabled={update.isPending}>
              Save rollout
            </button>
          </form>
          <label htmlFor="rules">Rules (JSON, evaluated top to bottom)</label>
          <textarea
            id="rules"
            className="mono"
            rows={8}
            value={rulesText}
            onChange={(event) => setRulesText(event.target.value)}
          />
          {rulesError && (
            <p role="alert" className="error">
              {rulesError} <code>VALIDATION_ERROR</code>
            </p>
          )}
          <button type="button" onClick={saveRules} disabled={update.isPending}>
            Save rules
          </button>
        </>
      )}
      <h3>Versions</h3>
      <ErrorMessage error={versions.error} />
      <ol className="versions" reversed>
        {[...items].reverse().map((entry) => {
          const previous = items.find((item) => item.version === entry.version - 1);
          return (
            <li key={entry.version}>
              <strong>v{entry.version}</strong> {entry.action} by {entry.actor},{' '}
              {new Date(entry.at).toLocaleString()}
              {entry.reason ? ` — ${entry.reason}` : ''}
              {current && entry.version !== current.version && (
                <button
                  type="button"
                  className="small"
                  disabled={rollback.isPending}
                  onClick={() => rollback.mutate(entry.version)}
                >
                  Roll back to v{entry.version}
                </button>
              )}
              {previous && (
                <DiffList
                  changes={jsonDiff(definitionOf(previous.flag), definitionOf(entry.flag))}
                />
              )}
            </li>
          );
        })}
      </ol>
      <h3>Audit</h3>
      <ErrorMessage error={audit.error} />
      <ul className="history">
        {audit.data?.items.map((entry) => (
          <li key={entry.id}>
            <time dateTime={entry.at}>{new Date(entry.at).toLocaleString()}</time> v{entry.version}{' '}
            {entry.action} by {entry.actor} ({entry.dealershipId})
            {entry.reason ? `: ${entry.reason}` : ''}
          </li>
        ))}
      </ul>
    </aside>
  );
}
