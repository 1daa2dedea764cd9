/** Reading regression inputs: preds and target of one shape, flattened (one output) or `[N, numOutputs]`. */
import { MisconfigurationError } from '../../errors.js';
import { checkSameShape, toHost } from '../input.js';
import type { MetricInput } from '../input.js';

/** A number for one output, one number per output otherwise. */
export type OutputValue<N extends number> = N extends 1 ? number : number[];

/** Options of regression metrics with several outputs. */
export interface OutputOptions<N extends number = 1> {
  /** Number of outputs (columns of `[N, numOutputs]` inputs); with 1, inputs of any shape are flattened. Default: 1. */
  numOutputs?: N;
}

/** Validate `numOutputs`. */
export function resolveOutputs(name: string, n: number | undefined): number {
  const v = n ?? 1;
  if (!Number.isInteger(v) || v < 1) throw new MisconfigurationError(`${name}: numOutputs must be a positive integer, received ${v}.`);
  return v;
}

/** Preds and target on the host, row-major with `outputs` columns. */
export interface RegressionPairs {
  readonly preds: ArrayLike<number>;
  readonly target: ArrayLike<number>;
  readonly rows: number;
}

/** Read and check a preds/target pair. */
export function readPairs(name: string, preds: MetricInput, target: MetricInput, outputs: number): RegressionPairs {
  const p = toHost(preds, `${name} preds`);
  const y = toHost(target, `${name} target`);
  checkSameShape(p.shape, y.shape, name);
  if (outputs > 1 && (p.shape.length !== 2 || p.shape[1] !== outputs)) {
    throw new MisconfigurationError(`${name} with numOutputs ${outputs} needs inputs of shape [N, ${outputs}], received [${p.shape.join(', ')}].`);
  }
  return { preds: p.data, target: y.data, rows: p.data.length / outputs };
}

/** `values` as a number (one output) or an array. */
export function perOutput<N extends number>(values: number[]): OutputValue<N> {
  return (values.length === 1 ? values[0] : values) as OutputValue<N>;
}

/** Add `f(pred, target)` of every element to `acc[column]`. */
export function accumulate(acc: Float64Array, pairs: RegressionPairs, f: (p: number, y: number) => number): void {
  const outputs = acc.length;
  for (let i = 0; i < pairs.preds.length; i++) {
    const k = i % outputs;
    acc[k] = (acc[k] ?? 0) + f(pairs.preds[i] ?? 0, pairs.target[i] ?? 0);
  }
}
