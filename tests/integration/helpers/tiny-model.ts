// A tiny regression module whose optimizer configuration is injected, fixed batches given as a plain array (never
// shuffled nor disposed by the Trainer), an LR recorder, and parameter snapshots: shared by the optimization tests.
import { Callback } from '../../../src/callbacks/callback.js';
import type { TrainerContext } from '../../../src/core/trainer-context.js';
import { LightningModule } from '../../../src/core/module.js';
import type { OptimizerConfigOutput } from '../../../src/core/optimizer-config.js';
import { Linear } from '../../../src/nn/linear.js';
import { tf } from '../../../src/runtime/tf.js';
import type { Scalar, Tensor } from '../../../src/runtime/tf.js';
import type { TrainerOptions } from '../../../src/trainer/trainer-options.js';

/** A batch: inputs [n, 4] and targets [n, 1]. */
export type XY = [Tensor, Tensor];

/** Options every optimization test shares: cpu, nothing printed or written. */
export const quietOptions: TrainerOptions = {
  accelerator: 'cpu', enableProgressBar: false, enableModelSummary: false, enableCheckpointing: false, handleSignals: false,
  logger: false, numSanityValSteps: 0,
};

/** `count` fixed batches of a noisy linear target (deterministic: built from a seeded-free formula). */
export function fixedBatches(count: number, size = 3): XY[] {
  return Array.from({ length: count }, (_, b) => {
    const x = Array.from({ length: size * 4 }, (_, i) => Math.sin(1.7 * (b * size * 4 + i) + 0.3) * 2);
    const y = Array.from({ length: size }, (_, r) => 3 * (x[r * 4] ?? 0) - 2 * (x[r * 4 + 1] ?? 0) + 0.5 + Math.cos(b + r));
    return [tf.tensor2d(x, [size, 4]), tf.tensor2d(y, [size, 1])];
  });
}

/** Dispose fixed batches. */
export function disposeBatches(batches: XY[]): void {
  for (const [x, y] of batches) {
    x.dispose();
    y.dispose();
  }
}

/** Linear(4, 1) with an MSE loss; `configure` is what `configureOptimizers` returns. */
export class TinyModel extends LightningModule<XY> {
  readonly layer = new Linear(4, 1);
  trainingSteps = 0;

  constructor(private readonly configure: (m: TinyModel) => OptimizerConfigOutput = () => undefined) {
    super();
  }

  override forward(x: Tensor): Tensor {
    return this.layer.call(x);
  }

  loss([x, y]: XY): Scalar {
    return tf.mean(tf.square(tf.sub(this.forward(x), y)));
  }

  override trainingStep(batch: XY, _batchIdx = 0): Scalar | null {
    this.trainingSteps += 1;
    return this.loss(batch);
  }

  override configureOptimizers(): OptimizerConfigOutput {
    return this.configure(this);
  }
}

/** Records the first param group's lr of every optimizer at each training batch start and at each epoch start. */
export class LrRecorder extends Callback {
  readonly atBatchStart: number[][] = [];
  readonly atEpochStart: number[][] = [];

  private lrs(trainer: TrainerContext): number[] {
    return trainer.optimizers.map((o) => o.paramGroups[0]?.lr ?? Number.NaN);
  }

  override onTrainBatchStart(trainer: TrainerContext): void {
    this.atBatchStart.push(this.lrs(trainer));
  }

  override onTrainEpochStart(trainer: TrainerContext): void {
    this.atEpochStart.push(this.lrs(trainer));
  }
}

/** A copy of every parameter value, by name (the caller disposes it). */
export function snapshot(module: LightningModule): Map<string, Tensor> {
  return new Map(module.namedParameters().map(([name, p]) => [name, tf.clone(p.value)]));
}

/** Largest absolute difference between a module's parameters and a snapshot (or another module). */
export function maxParamDiff(module: LightningModule, other: Map<string, Tensor> | LightningModule): number {
  const ref = other instanceof Map ? other : new Map(other.namedParameters().map(([n, p]) => [n, p.value as Tensor]));
  let max = 0;
  for (const [name, p] of module.namedParameters()) {
    const r = ref.get(name);
    if (r === undefined) throw new Error(`no reference for ${name}`);
    max = Math.max(max, tf.tidy(() => tf.max(tf.abs(tf.sub(p.value, r))).dataSync()[0] as number));
  }
  return max;
}

/** Dispose a snapshot. */
export function disposeSnapshot(s: Map<string, Tensor>): void {
  for (const t of s.values()) t.dispose();
}
