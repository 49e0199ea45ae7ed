import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { BenchResults } from './bench-results.js';
import { renderMarkdown } from './render-table.js';

export const FIGURES_START =
  '<!-- bench:figures:start (rewritten by the bench harness; edit around it) -->';
export const FIGURES_END = '<!-- bench:figures:end -->';

/** The generated figures section: machine, command, tables. */
function figuresSection(results: BenchResults): string {
  const m = results.machine;
  return [
    FIGURES_START,
    `### Latest figures (${results.mode} run, ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${results.durationSec ?? '?'} s)`,
    '',
    `Machine: ${m.nproc} CPU (${m.cpuModel}), ${m.memoryGiB} GiB RAM, Linux ${m.kernel}, Node ${m.node}, redis-server ${m.redis}, open files ${m.nofileLimit}.` +
      (m.nproc <= 2
        ? ` With ${m.nproc} cores the servers under test, Redis and the load generators share the same CPUs: every figure is a lower bound of what the servers do on their own cores.`
        : ''),
    '',
    `Command: \`${results.command}\` (raw results: \`tools/bench/results/latest.json\`).`,
    '',
    renderMarkdown(results),
    FIGURES_END,
  ].join('\n');
}

/** Replaces the figures section of the doc in place (or appends one), leaving the prose alone. */
export function rewriteFigures(doc: string, section: string): string {
  const start = doc.indexOf('<!-- bench:figures:start');
  const end = doc.indexOf(FIGURES_END);
  if (start >= 0 && end > start)
    return doc.slice(0, start) + section + doc.slice(end + FIGURES_END.length);
  return `${doc.trimEnd()}\n\n## Figures\n\n${section}\n`;
}

export function writeFiguresToDocs(path: string, results: BenchResults): void {
  const doc = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  writeFileSync(path, rewriteFigures(doc, figuresSection(results)));
}
