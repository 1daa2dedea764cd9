/** Regression losses with `torch.nn.functional`'s formulas: `mseLoss`, `l1Loss`, `smoothL1Loss`. */
import { MisconfigurationError } from '../../errors.js';
import { tf } from '../../runtime/tf.js';
import type { Tensor } from '../../runtime/tf.js';
import { asFloat, assertSameShape, reduce, resolveReduction } from './reduction.js';
import type { Reduction } from './reduction.js';

/** Options of the element-wise losses. */
export interface ReductionOptions {
  /** `'mean'`, `'sum'` or `'none'`. Default: `'mean'`. */
  reduction?: Reduction;
}

/** `mse_loss`: (input − target)², reduced. */
export function mseLoss(input: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  const reduction = resolveReduction('mseLoss', options.reduction);
  assertSameShape('mseLoss', input, target);
  return tf.tidy(() => reduce(tf.squaredDifference(input, asFloat(target)), reduction));
}

/** `l1_loss`: |input − target|, reduced. */
export function l1Loss(input: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  const reduction = resolveReduction('l1Loss', options.reduction);
  assertSameShape('l1Loss', input, target);
  return tf.tidy(() => reduce(tf.abs(tf.sub(input, asFloat(target))), reduction));
}

/** Options of `smoothL1Loss`. */
export interface SmoothL1LossOptions extends ReductionOptions {
  /** Where the loss switches from quadratic to linear; 0 gives `l1Loss`. Default: 1. */
  beta?: number;
}

/**
 * `smooth_l1_loss`: 0.5·d²/β where |d| < β, |d| − 0.5·β elsewhere (d = input − target). Computed as
 * 0.5·m²/β + (|d| − m) with m = min(|d|, β), which needs no comparison on the tape.
 */
export function smoothL1Loss(input: Tensor, target: Tensor, options: SmoothL1LossOptions = {}): Tensor {
  const reduction = resolveReduction('smoothL1Loss', options.reduction);
  const beta = options.beta ?? 1;
  if (!(beta >= 0)) throw new MisconfigurationError(`smoothL1Loss: beta must be >= 0; received ${beta}.`);
  assertSameShape('smoothL1Loss', input, target);
  return tf.tidy(() => {
    const absDiff = tf.abs(tf.sub(input, asFloat(target)));
    if (beta === 0) return reduce(absDiff, reduction);
    const m = tf.minimum(absDiff, beta);
    return reduce(tf.add(tf.mul(tf.square(m), 0.5 / beta), tf.sub(absDiff, m)), reduction);
  });
}
