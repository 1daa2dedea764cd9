/** Pure chart-data helpers of the dashboard page: metric groups, x-axis choice, smoothing, log scale and run alignment. */
import type { SeriesPoints } from '../run-types.js';

/** What the x-axis shows. */
export type XAxis = 'step' | 'epoch';

/** One run's curve: ascending x and its values (`null` is a gap). */
export interface Curve {
  x: number[];
  y: Array<number | null>;
}

/** The section a metric is drawn in: `learning rate` for `lr`/`lr-*`, else its prefix (`train/loss`, `val_acc`), else `other`. */
export function metricGroup(name: string): string {
  if (name === 'lr' || /^lr[-_/]/.test(name)) return 'learning rate';
  const slash = name.indexOf('/');
  if (slash > 0) return name.slice(0, slash);
  const m = /^(train|val|valid|validation|test)[_-]/.exec(name);
  return m?.[1] ?? 'other';
}

/** Sections in display order: train, validation, learning rate, then the rest alphabetically. */
export function sortGroups(groups: Iterable<string>): string[] {
  const rank = (g: string): number => {
    if (g === 'train') return 0;
    if (g === 'val' || g === 'valid' || g === 'validation') return 1;
    if (g === 'learning rate') return 2;
    return g === 'other' ? 4 : 3;
  };
  return [...new Set(groups)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * A series as a curve over steps or epochs. Several values at one x (a step logged twice, or every step of an epoch
 * on the epoch axis) keep the last one logged; points without an epoch are left out of the epoch axis.
 */
export function toCurve(points: SeriesPoints, axis: XAxis): Curve {
  const byX = new Map<number, number | null>();
  const xs = axis === 'step' ? points.step : points.epoch;
  xs.forEach((x, i) => {
    if (x !== null) byX.set(x, points.value[i] ?? null);
  });
  const x = [...byX.keys()].sort((a, b) => a - b);
  return { x, y: x.map((k) => byX.get(k) ?? null) };
}

/**
 * Exponential moving average with TensorBoard's debiasing (the first points are not pulled towards 0).
 * `weight` 0 returns the values unchanged; gaps stay gaps and do not reset the average.
 */
export function smoothValues(values: ReadonlyArray<number | null>, weight: number): Array<number | null> {
  if (weight <= 0) return [...values];
  let last = 0;
  let count = 0;
  return values.map((v) => {
    if (v === null) return null;
    last = last * weight + (1 - weight) * v;
    count += 1;
    return last / (1 - weight ** count);
  });
}

/** Values a log-scale axis can draw: non-positive values become gaps. */
export function forLogScale(values: ReadonlyArray<number | null>): Array<number | null> {
  return values.map((v) => (v !== null && v > 0 ? v : null));
}

/** Align curves on the union of their x values (uPlot's data layout): `[x, y0, y1, …]` with `null` where a curve has no point. */
export function alignCurves(curves: readonly Curve[]): [number[], ...Array<Array<number | null>>] {
  const xs = [...new Set(curves.flatMap((c) => c.x))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = curves.map((c) => {
    const y: Array<number | null> = new Array<number | null>(xs.length).fill(null);
    c.x.forEach((x, i) => {
      y[index.get(x) ?? 0] = c.y[i] ?? null;
    });
    return y;
  });
  return [xs, ...ys];
}

/** Flatten nested hyperparameters to `a/b` keys with printable values. */
export function flattenParams(params: Record<string, unknown>, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    const key = prefix === '' ? k : `${prefix}/${k}`;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flattenParams(v as Record<string, unknown>, key));
    else out[key] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

/** A number for a table cell: up to 5 significant digits, `—` for none. */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e6) ? v.toExponential(3) : String(Number(v.toPrecision(5)));
}

/** A duration as `1h 02m`, `3m 04s` or `5.2s`. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}
