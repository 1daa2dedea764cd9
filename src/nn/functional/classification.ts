/**
 * Classification losses with PyTorch's exact semantics: `crossEntropy` (class indices or probabilities, class
 * weights, `ignoreIndex`, `labelSmoothing`), `nllLoss`, `binaryCrossEntropy(WithLogits)` and `klDiv`.
 */
import { LightningError, MisconfigurationError } from '../../errors.js';
import { tf } from '../../runtime/tf.js';
import type { Tensor } from '../../runtime/tf.js';
import { asFloat, assertSameShape, floatOneHot, reduce, resolveReduction } from './reduction.js';
import type { Reduction } from './reduction.js';

/** Options of `nllLoss`. */
export interface NllLossOptions {
  /** A manual rescaling weight per class, shape `[C]`. Default: none (all 1). */
  weight?: Tensor;
  /** Targets equal to this value contribute nothing and are left out of the mean. Default: -100. */
  ignoreIndex?: number;
  /** `'mean'` (weighted mean over non-ignored targets), `'sum'` or `'none'`. Default: `'mean'`. */
  reduction?: Reduction;
}

/** Options of `crossEntropy`. */
export interface CrossEntropyOptions extends NllLossOptions {
  /** Mix the target with the uniform distribution: (1 − ε)·target + ε/C. Default: 0. */
  labelSmoothing?: number;
}

/** `[N, C, d1, ...]` → `[N·d1·..., C]` (classes last), as a 2-D matrix; `[C]` → `[1, C]`. */
function classesLast(x: Tensor): Tensor {
  if (x.rank === 1) return tf.reshape(x, [1, -1]);
  if (x.rank === 2) return x;
  const perm = [0, ...x.shape.map((_, i) => i).slice(2), 1];
  return tf.reshape(tf.transpose(x, perm), [-1, x.shape[1] as number]);
}

function checkIndexTarget(loss: string, input: Tensor, target: Tensor): void {
  const expected = input.rank === 1 ? [] : [input.shape[0], ...input.shape.slice(2)];
  const ok = target.rank === expected.length && target.shape.every((d, i) => d === expected[i]);
  if (!ok) {
    throw new LightningError(
      `${loss}: input has shape [${input.shape.join(', ')}] (classes on dim 1), so class-index targets must have ` +
        `shape [${expected.join(', ')}]; received [${target.shape.join(', ')}].`,
      'Pass one class index per sample (int32), or class probabilities with the same shape as the input.',
    );
  }
}

function checkWeight(loss: string, weight: Tensor | undefined, classes: number): void {
  if (weight !== undefined && (weight.rank !== 1 || weight.shape[0] !== classes)) {
    throw new LightningError(
      `${loss}: weight must have shape [${classes}] (one value per class); received [${weight.shape.join(', ')}].`,
    );
  }
}

/**
 * Per-target pieces of the NLL with class indices, on `[M, C]` log-probabilities: the weighted negative
 * log-likelihood, the weight of each target (0 where ignored), the one-hot targets and the non-ignored mask.
 */
function indexedNll(logp: Tensor, target: Tensor, weight: Tensor | undefined, ignoreIndex: number) {
  const classes = logp.shape[1] as number;
  const t = tf.reshape(target.dtype === 'int32' ? target : tf.cast(target, 'int32'), [-1]);
  const keep = tf.notEqual(t, ignoreIndex);
  const mask = tf.cast(keep, 'float32');
  const oneHot = floatOneHot(tf.mul(t, tf.cast(keep, 'int32')), classes);
  const targetWeight = weight === undefined ? mask : tf.mul(tf.sum(tf.mul(oneHot, weight), -1), mask);
  const nll = tf.mul(tf.neg(tf.sum(tf.mul(oneHot, logp), -1)), targetWeight);
  return { nll, targetWeight, mask };
}

/**
 * A backend's fused NLL kernel (the native backend registers one): one kernel each way instead of the ≈ 13
 * one-hot, mask and sum kernels of the generic path, with the same numbers. Inputs `logp` [M, C] float32 and
 * `target` [M] int32; attrs `ignoreIndex` and `reduction` ('mean' | 'sum').
 */
const FUSED_NLL_KERNEL = 'LightningNllLoss';

function fusedNll(logp2d: Tensor, target: Tensor, reduction: string, o: CrossEntropyOptions): Tensor | undefined {
  if (reduction === 'none' || o.weight !== undefined || (o.labelSmoothing ?? 0) > 0) return undefined;
  if (logp2d.dtype !== 'float32' || target.dtype !== 'int32' || target.rank !== 1) return undefined;
  if (tf.getKernel(FUSED_NLL_KERNEL, tf.getBackend()) === undefined) return undefined;
  return tf.engine().runKernel<Tensor>(FUSED_NLL_KERNEL, { logp: logp2d, target }, { ignoreIndex: o.ignoreIndex ?? -100, reduction });
}

function nllFromLogProbs(loss: string, logp2d: Tensor, target: Tensor, o: CrossEntropyOptions): Tensor {
  const reduction = resolveReduction(loss, o.reduction);
  const fused = fusedNll(logp2d, target, reduction, o);
  if (fused !== undefined) return fused;
  const classes = logp2d.shape[1] as number;
  const eps = o.labelSmoothing ?? 0;
  const { nll, targetWeight, mask } = indexedNll(logp2d, target, o.weight, o.ignoreIndex ?? -100);
  let perTarget = nll;
  let smooth: Tensor | undefined;
  if (eps > 0) {
    const weighted = o.weight === undefined ? logp2d : tf.mul(logp2d, o.weight);
    smooth = tf.mul(tf.neg(tf.sum(weighted, -1)), mask);
  }
  if (reduction === 'none') {
    if (smooth !== undefined) perTarget = tf.add(tf.mul(nll, 1 - eps), tf.mul(smooth, eps / classes));
    return tf.reshape(perTarget, target.shape);
  }
  const total = smooth === undefined ? tf.sum(nll) : tf.add(tf.mul(tf.sum(nll), 1 - eps), tf.mul(tf.sum(smooth), eps / classes));
  return reduction === 'sum' ? total : tf.div(total, tf.sum(targetWeight));
}

/**
 * `nll_loss(input, target)`: input holds log-probabilities `[N, C]` or `[N, C, d1, ...]` (or `[C]`), target the
 * class indices `[N]` / `[N, d1, ...]`. `'mean'` divides by the summed weights of the non-ignored targets.
 */
export function nllLoss(input: Tensor, target: Tensor, options: NllLossOptions = {}): Tensor {
  checkIndexTarget('nllLoss', input, target);
  checkWeight('nllLoss', options.weight, input.rank === 1 ? (input.shape[0]) : (input.shape[1] as number));
  return tf.tidy(() => nllFromLogProbs('nllLoss', classesLast(input), target, options));
}

/**
 * `cross_entropy(input, target)`: `logSoftmax` over dim 1 and the NLL. `target` is either class indices
 * (shape `[N]` / `[N, d1, ...]`, with `ignoreIndex`) or class probabilities (the input's shape). With
 * `labelSmoothing` ε the target becomes (1 − ε)·target + ε/C, exactly as PyTorch computes it.
 * @example
 * const loss = crossEntropy(logits, labels, { labelSmoothing: 0.1 });
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const eps = options.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) {
    throw new MisconfigurationError(`crossEntropy: labelSmoothing must be in [0, 1]; received ${eps}.`);
  }
  const classes = input.rank === 1 ? (input.shape[0]) : (input.shape[1] as number);
  checkWeight('crossEntropy', options.weight, classes);
  const isProbabilities = target.rank === input.rank && target.shape.every((d, i) => d === input.shape[i]);
  if (!isProbabilities) checkIndexTarget('crossEntropy', input, target);
  return tf.tidy(() => {
    const logp = tf.logSoftmax(classesLast(input));
    if (!isProbabilities) return nllFromLogProbs('crossEntropy', logp, target, options);
    const reduction = resolveReduction('crossEntropy', options.reduction);
    let probs = classesLast(asFloat(target));
    if (eps > 0) probs = tf.add(tf.mul(probs, 1 - eps), eps / classes);
    if (options.weight !== undefined) probs = tf.mul(probs, options.weight);
    const perTarget = tf.neg(tf.sum(tf.mul(logp, probs), -1));
    if (reduction === 'none') return tf.reshape(perTarget, input.rank === 1 ? [] : [input.shape[0], ...input.shape.slice(2)]);
    return reduce(perTarget, reduction);
  });
}

/** Options of `binaryCrossEntropy`. */
export interface BinaryCrossEntropyOptions {
  /** A rescaling weight broadcast to the input's shape. Default: none. */
  weight?: Tensor;
  /** `'mean'`, `'sum'` or `'none'`. Default: `'mean'`. */
  reduction?: Reduction;
}

/** `binary_cross_entropy(input, target)` on probabilities in [0, 1]; each log is clamped at −100 like PyTorch. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BinaryCrossEntropyOptions = {}): Tensor {
  const reduction = resolveReduction('binaryCrossEntropy', options.reduction);
  assertSameShape('binaryCrossEntropy', input, target);
  return tf.tidy(() => {
    const t = asFloat(target);
    const logX = tf.maximum(tf.log(input), -100);
    const log1mX = tf.maximum(tf.log(tf.sub(1, input)), -100);
    let loss = tf.neg(tf.add(tf.mul(t, logX), tf.mul(tf.sub(1, t), log1mX)));
    if (options.weight !== undefined) loss = tf.mul(loss, options.weight);
    return reduce(loss, reduction);
  });
}

/** Options of `binaryCrossEntropyWithLogits`. */
export interface BinaryCrossEntropyWithLogitsOptions extends BinaryCrossEntropyOptions {
  /** Weight of positive examples, broadcast along the last (class) dimension. Default: none (1). */
  posWeight?: Tensor;
}

/**
 * `binary_cross_entropy_with_logits(input, target)`: sigmoid and BCE in one numerically stable expression,
 * (1 − t)·x + (1 + (p − 1)·t)·softplus(−x), with `posWeight` p.
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  options: BinaryCrossEntropyWithLogitsOptions = {},
): Tensor {
  const reduction = resolveReduction('binaryCrossEntropyWithLogits', options.reduction);
  assertSameShape('binaryCrossEntropyWithLogits', input, target);
  return tf.tidy(() => {
    const t = asFloat(target);
    const softplusNeg = tf.softplus(tf.neg(input));
    const logWeight = options.posWeight === undefined ? undefined : tf.add(tf.mul(tf.sub(options.posWeight, 1), t), 1);
    let loss = tf.add(tf.mul(tf.sub(1, t), input), logWeight === undefined ? softplusNeg : tf.mul(logWeight, softplusNeg));
    if (options.weight !== undefined) loss = tf.mul(loss, options.weight);
    return reduce(loss, reduction);
  });
}

/** Options of `klDiv`. */
export interface KlDivOptions {
  /** `'mean'` (over all elements), `'batchmean'` (sum / batch size, the true KL), `'sum'` or `'none'`. Default: `'mean'`. */
  reduction?: Reduction | 'batchmean';
  /** The target is given as log-probabilities. Default: false. */
  logTarget?: boolean;
}

/**
 * `kl_div(input, target)`: input holds log-probabilities; pointwise t·(log t − input), with 0 where t = 0
 * (or e^t·(t − input) with `logTarget`). Use `reduction: 'batchmean'` for the mathematical KL divergence.
 */
export function klDiv(input: Tensor, target: Tensor, options: KlDivOptions = {}): Tensor {
  const reduction = resolveReduction('klDiv', options.reduction, ['mean', 'batchmean', 'sum', 'none']);
  assertSameShape('klDiv', input, target);
  return tf.tidy(() => {
    const t = asFloat(target);
    let pointwise: Tensor;
    if (options.logTarget ?? false) {
      pointwise = tf.mul(tf.exp(t), tf.sub(t, input));
    } else {
      const safeLog = tf.log(tf.where(tf.greater(t, 0), t, tf.onesLike(t)));
      pointwise = tf.mul(t, tf.sub(safeLog, input));
    }
    if (reduction === 'batchmean') return tf.div(tf.sum(pointwise), input.rank === 0 ? 1 : (input.shape[0]));
    return reduce(pointwise, reduction);
  });
}
