/** Correlation metrics: Pearson's and Spearman's correlation coefficients and cosine similarity. */
import { MisconfigurationError } from '../../errors.js';
import { warn } from '../../utilities/warnings.js';
import { checkSameShape, toHost } from '../input.js';
import type { MetricInput } from '../input.js';
import { Metric } from '../metric.js';
import { accumulate, perOutput, readPairs, resolveOutputs } from './common.js';
import type { OutputOptions, OutputValue } from './common.js';

/** Pearson's r from co-moment sums; NaN (with a warning) when either side is constant. */
function pearson(n: number, sx: number, sy: number, sxx: number, syy: number, sxy: number): number {
  const cov = sxy - (sx * sy) / n;
  const vx = sxx - (sx * sx) / n;
  const vy = syy - (sy * sy) / n;
  if (!(vx > 1e-12 * sxx) || !(vy > 1e-12 * syy)) {
    warn('LT-METRIC-CORR', 'Correlation is undefined when preds or target is constant; returning NaN.');
    return NaN;
  }
  return Math.max(-1, Math.min(1, cov / Math.sqrt(vx * vy)));
}

/** Pearson correlation coefficient per output, from running sums (constant-size state, `sum` reduction). */
export class PearsonCorrCoef<N extends number = 1> extends Metric<[MetricInput, MetricInput], OutputValue<N>> {
  private readonly outputs: number;

  constructor(options: OutputOptions<N> = {}) {
    super(options);
    this.outputs = resolveOutputs('PearsonCorrCoef', options.numOutputs);
    for (const s of ['sumX', 'sumY', 'sumXX', 'sumYY', 'sumXY']) this.addState(s, 'sum', this.outputs);
    this.addState('total', 'sum');
  }

  protected updateState(preds: MetricInput, target: MetricInput): void {
    const pairs = readPairs('PearsonCorrCoef', preds, target, this.outputs);
    accumulate(this.state('sumX'), pairs, (p) => p);
    accumulate(this.state('sumY'), pairs, (_p, y) => y);
    accumulate(this.state('sumXX'), pairs, (p) => p * p);
    accumulate(this.state('sumYY'), pairs, (_p, y) => y * y);
    accumulate(this.state('sumXY'), pairs, (p, y) => p * y);
    this.state('total')[0] = (this.state('total')[0] ?? 0) + pairs.rows;
  }

  compute(): OutputValue<N> {
    const n = this.state('total')[0] ?? 0;
    const at = (s: string, k: number): number => this.state(s)[k] ?? 0;
    return perOutput<N>(Array.from({ length: this.outputs }, (_, k) => pearson(n, at('sumX', k), at('sumY', k), at('sumXX', k), at('sumYY', k), at('sumXY', k))));
  }
}

/** Ranks 1..n with ties given their average rank (scipy's `rankdata(method='average')`). */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => (values[a] ?? 0) - (values[b] ?? 0));
  const ranks = new Float64Array(values.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1] ?? 0] === values[order[i] ?? 0]) j += 1;
    const rank = (i + j) / 2 + 1;
    for (let m = i; m <= j; m++) ranks[order[m] ?? 0] = rank;
    i = j + 1;
  }
  return ranks;
}

/** Spearman rank correlation per output (ties get average ranks); keeps every pred and target (`cat` states). */
export class SpearmanCorrCoef<N extends number = 1> extends Metric<[MetricInput, MetricInput], OutputValue<N>> {
  private readonly outputs: number;

  constructor(options: OutputOptions<N> = {}) {
    super(options);
    this.outputs = resolveOutputs('SpearmanCorrCoef', options.numOutputs);
    this.addState('preds', 'cat');
    this.addState('target', 'cat');
  }

  protected updateState(preds: MetricInput, target: MetricInput): void {
    const pairs = readPairs('SpearmanCorrCoef', preds, target, this.outputs);
    this.append('preds', Float64Array.from(pairs.preds));
    this.append('target', Float64Array.from(pairs.target));
  }

  compute(): OutputValue<N> {
    const p = this.catState('preds');
    const y = this.catState('target');
    const rows = p.length / this.outputs;
    const column = (a: Float64Array, k: number): Float64Array => Float64Array.from({ length: rows }, (_, r) => a[r * this.outputs + k] ?? 0);
    return perOutput<N>(
      Array.from({ length: this.outputs }, (_, k) => {
        const rx = averageRanks(column(p, k));
        const ry = averageRanks(column(y, k));
        let sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        for (let r = 0; r < rows; r++) {
          const a = (rx[r] ?? 0) - (rows + 1) / 2;
          const b = (ry[r] ?? 0) - (rows + 1) / 2;
          sx += a;
          sy += b;
          sxx += a * a;
          syy += b * b;
          sxy += a * b;
        }
        return pearson(rows, sx, sy, sxx, syy, sxy);
      }),
    );
  }
}

/** Options of `CosineSimilarity`. */
export interface CosineSimilarityOptions {
  /** How the per-row similarities combine: `'sum'`, `'mean'` or `'none'` (one per row). Default: `'sum'` (torchmetrics). */
  reduction?: 'sum' | 'mean' | 'none';
}

/** Cosine similarity between matching rows of `[N, d]` preds and target (a `[d]` vector is one row). */
export class CosineSimilarity<R extends 'sum' | 'mean' | 'none' = 'sum'> extends Metric<[MetricInput, MetricInput], R extends 'none' ? number[] : number> {
  /** The reduction in use. */
  readonly reduction: 'sum' | 'mean' | 'none';

  constructor(options: CosineSimilarityOptions & { reduction?: R } = {}) {
    super(options);
    this.reduction = options.reduction ?? 'sum';
    if (!['sum', 'mean', 'none'].includes(this.reduction)) {
      throw new MisconfigurationError(`CosineSimilarity: reduction must be 'sum', 'mean' or 'none', received ${JSON.stringify(this.reduction)}.`);
    }
    this.addState('similarity', 'cat');
  }

  protected updateState(preds: MetricInput, target: MetricInput): void {
    const p = toHost(preds, 'CosineSimilarity preds');
    const y = toHost(target, 'CosineSimilarity target');
    checkSameShape(p.shape, y.shape, 'CosineSimilarity');
    if (p.shape.length > 2) throw new MisconfigurationError(`CosineSimilarity needs [N, d] or [d] inputs, received [${p.shape.join(', ')}].`);
    const d = p.shape[p.shape.length - 1] ?? 1;
    const rows = d === 0 ? 0 : p.data.length / d;
    const out = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      let dot = 0, pp = 0, yy = 0;
      for (let k = 0; k < d; k++) {
        const a = p.data[r * d + k] ?? 0;
        const b = y.data[r * d + k] ?? 0;
        dot += a * b;
        pp += a * a;
        yy += b * b;
      }
      out[r] = dot / Math.max(Math.sqrt(pp) * Math.sqrt(yy), 1e-8);
    }
    this.append('similarity', out);
  }

  compute(): R extends 'none' ? number[] : number {
    type Out = R extends 'none' ? number[] : number;
    const s = Array.from(this.catState('similarity'));
    if (this.reduction === 'none') return s as Out;
    const sum = s.reduce((a, b) => a + b, 0);
    return (this.reduction === 'sum' ? sum : sum / s.length) as Out;
  }
}
