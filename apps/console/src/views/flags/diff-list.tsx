import type { Change } from './json-diff.js';

const show = (value: unknown) => (value === undefined ? '∅' : JSON.stringify(value));

export function DiffList({ changes }: { changes: Change[] }) {
  if (changes.length === 0) return <p className="muted">No definition change.</p>;
  return (
    <ul className="diff">
      {changes.map((change) => (
        <li key={change.path}>
          <code>{change.path}</code>: <del>{show(change.from)}</del> → <ins>{show(change.to)}</ins>
        </li>
      ))}
    </ul>
  );
}
