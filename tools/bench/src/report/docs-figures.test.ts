import { describe, expect, it } from 'vitest';
import { FIGURES_END, FIGURES_START, rewriteFigures } from './docs-figures.js';

describe('rewriteFigures', () => {
  it('replaces only the marked section, keeping the prose around it', () => {
    const doc = `# B\n\nintro\n\n${FIGURES_START}\nold table\n${FIGURES_END}\n\n## Verdict\nprose\n`;
    const out = rewriteFigures(doc, `${FIGURES_START}\nnew table\n${FIGURES_END}`);
    expect(out).toBe(
      `# B\n\nintro\n\n${FIGURES_START}\nnew table\n${FIGURES_END}\n\n## Verdict\nprose\n`,
    );
  });

  it('appends a section when the doc has none', () => {
    const out = rewriteFigures('# B\n', `${FIGURES_START}\nt\n${FIGURES_END}`);
    expect(out).toContain('## Figures');
    expect(out.endsWith(`${FIGURES_END}\n`)).toBe(true);
  });
});
