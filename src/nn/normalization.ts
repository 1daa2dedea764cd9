/**
 * `BatchNorm1d`/`BatchNorm2d` (batch statistics in training, running statistics in eval, PyTorch's buffer names
 * `running_mean`, `running_var`, `num_batches_tracked`) and `LayerNorm`.
 */
import { LightningError, MisconfigurationError } from '../errors.js';
import { tf } from '../runtime/tf.js';
import type { Tensor } from '../runtime/tf.js';
import { initBuffer, initParameter, ones, zeros } from './init.js';
import { Module } from './module.js';
import type { Buffer, Parameter } from './parameter.js';

/** Options of `BatchNorm1d` and `BatchNorm2d`. */
export interface BatchNormOptions {
  /** Added to the variance for numerical stability. Default: 1e-5. */
  eps?: number;
  /** Weight of the new batch in the running statistics; `null` for a cumulative average. Default: 0.1. */
  momentum?: number | null;
  /** Learn a per-channel scale (`weight`) and shift (`bias`). Default: true. */
  affine?: boolean;
  /** Keep running statistics and use them in eval mode. Default: true. */
  trackRunningStats?: boolean;
}

/** The state both batch norms share; subclasses only fix the accepted input ranks. */
abstract class BatchNormBase extends Module<[Tensor], Tensor> {
  readonly weight: Parameter | undefined;
  readonly bias: Parameter | undefined;
  readonly eps: number;
  readonly momentum: number | null;
  readonly trackRunningStats: boolean;
  readonly #running: { mean: Buffer; variance: Buffer; batches: Buffer } | undefined;

  protected abstract readonly acceptedRanks: readonly number[];

  constructor(
    readonly numFeatures: number,
    options: BatchNormOptions = {},
  ) {
    super();
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    this.trackRunningStats = options.trackRunningStats ?? true;
    const affine = options.affine ?? true;
    this.weight = affine ? initParameter(() => ones([numFeatures])) : undefined;
    this.bias = affine ? initParameter(() => zeros([numFeatures])) : undefined;
    if (this.trackRunningStats) {
      this.#running = {
        mean: initBuffer(() => zeros([numFeatures])),
        variance: initBuffer(() => ones([numFeatures])),
        batches: initBuffer(() => tf.scalar(0, 'int32')),
      };
      this.registerBuffer('running_mean', this.#running.mean);
      this.registerBuffer('running_var', this.#running.variance);
      this.registerBuffer('num_batches_tracked', this.#running.batches);
    }
  }

  /** Running mean per channel (state-dict key `running_mean`), or undefined without `trackRunningStats`. */
  get runningMean(): Buffer | undefined {
    return this.#running?.mean;
  }

  /** Running unbiased variance per channel (`running_var`). */
  get runningVar(): Buffer | undefined {
    return this.#running?.variance;
  }

  /** Number of training batches seen (`num_batches_tracked`). */
  get numBatchesTracked(): Buffer | undefined {
    return this.#running?.batches;
  }

  override forward(x: Tensor): Tensor {
    if (!this.acceptedRanks.includes(x.rank) || x.shape[1] !== this.numFeatures) {
      throw new LightningError(
        `${this.constructor.name}(${this.numFeatures}) expects input of rank ${this.acceptedRanks.join(' or ')} with ` +
          `${this.numFeatures} channels on dim 1; received [${x.shape.join(', ')}].`,
        'Channels go on dim 1 (PyTorch layout): [N, C] or [N, C, L] for BatchNorm1d, [N, C, H, W] for BatchNorm2d.',
      );
    }
    const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
    const paramShape = [this.numFeatures, ...x.shape.slice(2).map(() => 1)];
    const running = this.#running;
    const useBatchStats = this.training || running === undefined;
    return tf.tidy(() => {
      let mean: Tensor;
      let variance: Tensor;
      if (useBatchStats) {
        const count = x.size / this.numFeatures;
        if (this.training && count <= 1) {
          throw new LightningError(
            `${this.constructor.name} got 1 value per channel in training mode (input [${x.shape.join(', ')}]); the variance is undefined.`,
            'Use a batch size > 1, or call eval() to normalise with the running statistics.',
          );
        }
        ({ mean, variance } = tf.moments(x, axes, true));
        if (this.training && running !== undefined) this.updateRunningStats(running, mean, variance, count);
      } else {
        mean = tf.reshape(running.mean.value, paramShape);
        variance = tf.reshape(running.variance.value, paramShape);
      }
      let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps)));
      if (this.weight !== undefined) y = tf.mul(y, tf.reshape(this.weight.value, paramShape));
      if (this.bias !== undefined) y = tf.add(y, tf.reshape(this.bias.value, paramShape));
      return y;
    });
  }

  /** running ← (1 − m)·running + m·batch, with the unbiased batch variance (PyTorch's update). */
  private updateRunningStats(running: { mean: Buffer; variance: Buffer; batches: Buffer }, mean: Tensor, variance: Tensor, count: number): void {
    running.batches.assign(tf.add(running.batches.value, 1));
    const m = this.momentum ?? 1 / (running.batches.value.dataSync()[0] as number);
    const unbiased = tf.mul(tf.reshape(variance, [this.numFeatures]), count / (count - 1));
    running.mean.assign(tf.add(tf.mul(running.mean.value, 1 - m), tf.mul(tf.reshape(mean, [this.numFeatures]), m)));
    running.variance.assign(tf.add(tf.mul(running.variance.value, 1 - m), tf.mul(unbiased, m)));
  }

  /** Reset the running statistics to mean 0, variance 1 and 0 batches. */
  resetRunningStats(): void {
    if (this.#running === undefined) return;
    tf.tidy(() => {
      this.#running?.mean.assign(zeros([this.numFeatures]));
      this.#running?.variance.assign(ones([this.numFeatures]));
      this.#running?.batches.assign(tf.scalar(0, 'int32'));
    });
  }
}

/** Batch normalisation over `[N, C]` or `[N, C, L]` input (`torch.nn.BatchNorm1d`). */
export class BatchNorm1d extends BatchNormBase {
  protected readonly acceptedRanks = [2, 3] as const;
}

/** Batch normalisation over `[N, C, H, W]` input (`torch.nn.BatchNorm2d`). */
export class BatchNorm2d extends BatchNormBase {
  protected readonly acceptedRanks = [4] as const;
}

/** Options of `LayerNorm`. */
export interface LayerNormOptions {
  /** Added to the variance for numerical stability. Default: 1e-5. */
  eps?: number;
  /** Learn an element-wise scale (`weight`) and shift (`bias`). Default: true. */
  elementwiseAffine?: boolean;
  /** Learn the shift (only with `elementwiseAffine`). Default: true. */
  bias?: boolean;
}

/** Normalise over the trailing `normalizedShape` dimensions (`torch.nn.LayerNorm`), biased variance. */
export class LayerNorm extends Module<[Tensor], Tensor> {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly weight: Parameter | undefined;
  readonly bias: Parameter | undefined;

  constructor(normalizedShape: number | number[], options: LayerNormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (this.normalizedShape.length === 0 || !this.normalizedShape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new MisconfigurationError(`LayerNorm normalizedShape must be positive integers; received ${JSON.stringify(normalizedShape)}.`);
    }
    this.eps = options.eps ?? 1e-5;
    const affine = options.elementwiseAffine ?? true;
    this.weight = affine ? initParameter(() => ones(this.normalizedShape)) : undefined;
    this.bias = affine && (options.bias ?? true) ? initParameter(() => zeros(this.normalizedShape)) : undefined;
  }

  override forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    const tail = x.shape.slice(x.rank - k);
    if (x.rank < k || !tail.every((d, i) => d === this.normalizedShape[i])) {
      throw new LightningError(
        `LayerNorm([${this.normalizedShape.join(', ')}]) expects input ending in those dimensions; received [${x.shape.join(', ')}].`,
      );
    }
    return tf.tidy(() => {
      const axes = tail.map((_, i) => x.rank - k + i);
      const { mean, variance } = tf.moments(x, axes, true);
      let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps)));
      if (this.weight !== undefined) y = tf.mul(y, this.weight.value);
      if (this.bias !== undefined) y = tf.add(y, this.bias.value);
      return y;
    });
  }
}
