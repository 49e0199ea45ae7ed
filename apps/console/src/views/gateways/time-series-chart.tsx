import type { Sample } from './stats-series.js';

interface Props {
  samples: Sample[];
  series: { key: 'connections' | 'deliveriesPerSec'; label: string; className: string }[];
  width?: number;
  height?: number;
}

/**
 * A small hand-written SVG line chart: two series over the last minutes need no chart library
 * (and its kilobytes). Each series is scaled to its own maximum, labelled with it.
 */
export function TimeSeriesChart({ samples, series, width = 600, height = 160 }: Props) {
  const pad = 4;
  const first = samples[0]?.at ?? 0;
  const last = samples[samples.length - 1]?.at ?? 1;
  const span = Math.max(last - first, 1);
  const x = (at: number) => pad + ((at - first) / span) * (width - 2 * pad);
  const summary = series
    .map(({ key, label }) => `${label}: ${formatNumber(samples[samples.length - 1]?.[key] ?? 0)}`)
    .join(', ');
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`Over the last ${Math.round(span / 60_000) || '<1'} min. Now ${summary}`}
        preserveAspectRatio="none"
      >
        <rect x={0} y={0} width={width} height={height} className="chart-bg" />
        {series.map(({ key, className }) => {
          // From zero, with headroom above the highest value, so a line never hugs the top.
          const max = Math.max(1, ...valuesOf(samples, key)) * 1.2;
          const y = (value: number) => height - pad - (value / max) * (height - 2 * pad);
          const points = samples
            .filter((sample) => sample[key] !== null)
            .map((sample) => `${x(sample.at)},${y(sample[key] ?? 0)}`)
            .join(' ');
          return <polyline key={key} points={points} className={className} fill="none" />;
        })}
      </svg>
      <figcaption>
        {series.map(({ key, label, className }) => (
          <span key={key} className="legend">
            <span className={`swatch ${className}`} aria-hidden="true" /> {label} (max{' '}
            {formatNumber(Math.max(0, ...valuesOf(samples, key)))})
          </span>
        ))}
        <span className="muted"> · {samples.length} samples</span>
      </figcaption>
    </figure>
  );
}

function valuesOf(samples: Sample[], key: Props['series'][number]['key']): number[] {
  return samples.flatMap((sample) => (sample[key] === null ? [] : [sample[key]]));
}

function formatNumber(value: number): string {
  return value >= 100 || Number.isInteger(value) ? String(Math.round(value)) : value.toFixed(1);
}
