/** Gradient clipping with `torch.nn.utils.clip_grad_norm_` / `clip_grad_value_` semantics, in place on `.grad`. */
import { AnomalyError, MisconfigurationError } from '../errors.js';
import type { Parameter } from '../nn/parameter.js';
import { tf } from '../runtime/tf.js';
import type { Tensor } from '../runtime/tf.js';

/** Options of `clipGradNorm`. */
export interface ClipGradNormOptions {
  /** Throw an `AnomalyError` when the total norm is NaN or infinite. Default: false (as in PyTorch 1.13). */
  errorIfNonfinite?: boolean;
}

function gradsOf(parameters: Parameter[] | Parameter): Array<[Parameter, Tensor]> {
  const list = Array.isArray(parameters) ? parameters : [parameters];
  return list.flatMap((p): Array<[Parameter, Tensor]> => (p.grad === null ? [] : [[p, p.grad]]));
}

/**
 * Scale the gradients so that their total `normType`-norm (over all of them, as if concatenated) is at most
 * `maxNorm`; the scale is `maxNorm / (total + 1e-6)` clamped to 1. Returns the total norm before clipping.
 */
export function clipGradNorm(
  parameters: Parameter[] | Parameter,
  maxNorm: number,
  normType = 2,
  options: ClipGradNormOptions = {},
): number {
  if (!(normType > 0)) {
    throw new MisconfigurationError(`clipGradNorm got normType ${normType}.`, 'Use a positive p (e.g. 2) or Infinity.');
  }
  const grads = gradsOf(parameters);
  if (grads.length === 0) return 0;
  const total = tf.tidy(() => {
    const flat = tf.concat(grads.map(([, g]) => tf.reshape(g, [-1])), 0);
    if (normType === Infinity) return tf.max(tf.abs(flat));
    if (normType === 2) return tf.sqrt(tf.sum(tf.square(flat)));
    if (normType === 1) return tf.sum(tf.abs(flat));
    return tf.pow(tf.sum(tf.pow(tf.abs(flat), normType)), 1 / normType);
  });
  const totalNorm = Math.fround(total.dataSync()[0] ?? 0);
  total.dispose();
  if (options.errorIfNonfinite === true && !Number.isFinite(totalNorm)) {
    throw new AnomalyError(
      `The total norm of order ${normType} of the gradients is ${totalNorm}, so they cannot be clipped.`,
      'Find where the loss became non-finite (e.g. with detectAnomaly), or pass errorIfNonfinite: false.',
    );
  }
  const coef = Math.min(Math.fround(maxNorm / Math.fround(totalNorm + 1e-6)), 1);
  if (coef < 1 || Number.isNaN(coef)) {
    for (const [p, g] of grads) p.setGrad(tf.tidy(() => tf.mul(g, coef)));
  }
  return totalNorm;
}

/** Clamp every gradient element to `[-clipValue, clipValue]`. */
export function clipGradValue(parameters: Parameter[] | Parameter, clipValue: number): void {
  if (!(clipValue >= 0)) {
    throw new MisconfigurationError(`clipGradValue got clipValue ${clipValue}.`, 'Pass a non-negative clip value, e.g. 0.5.');
  }
  for (const [p, g] of gradsOf(parameters)) p.setGrad(tf.tidy(() => tf.clipByValue(g, -clipValue, clipValue)));
}
