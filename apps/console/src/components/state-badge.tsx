/** A sandbox, task or agent state as a coloured label (the text carries the meaning, not the colour). */
export function StateBadge({ state, label }: { state: string; label?: string }) {
  return <span className={`badge state-${state}`}>{label ?? state}</span>;
}
