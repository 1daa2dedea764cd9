/**
 * `GradientAccumulationScheduler`: changes how many batches are accumulated per optimizer step, by epoch. The
 * Trainer asks every callback that implements `AccumulationSchedule` for the factor of the current epoch.
 */
import type { CallbackLike } from '../core/hooks.js';
import type { LightningModule } from '../core/module.js';
import type { TrainerContext } from '../core/trainer-context.js';
import { MisconfigurationError } from '../errors.js';
import { Callback } from './callback.js';

/** A callback that decides the gradient-accumulation factor per epoch (the Trainer reads it instead of `accumulateGradBatches`). */
export interface AccumulationSchedule {
  /** Batches to accumulate per optimizer step during `epoch` (zero-indexed). */
  accumulationFactor(epoch: number): number;
}

/** Whether a callback provides an accumulation schedule. */
export function isAccumulationSchedule(cb: CallbackLike): cb is CallbackLike & AccumulationSchedule {
  return typeof (cb as Partial<AccumulationSchedule>).accumulationFactor === 'function';
}

/**
 * Accumulate `scheduling[e]` batches from epoch `e` on (zero-indexed; epochs before the first key use 1).
 *
 * @example
 * new GradientAccumulationScheduler({ scheduling: { 0: 8, 4: 4, 8: 1 } });
 */
export class GradientAccumulationScheduler extends Callback implements AccumulationSchedule {
  /** Epoch → factor, sorted by epoch, starting at epoch 0. */
  readonly scheduling: ReadonlyArray<readonly [number, number]>;

  constructor(options: { scheduling: Record<number, number> }) {
    super();
    const entries = Object.entries(options.scheduling).map(([k, v]) => [Number(k), v] as const);
    if (entries.length === 0) {
      throw new MisconfigurationError('GradientAccumulationScheduler got an empty scheduling.', 'Pass e.g. { scheduling: { 0: 4, 10: 1 } } (epoch: factor).');
    }
    for (const [epoch, factor] of entries) {
      if (!Number.isInteger(epoch) || epoch < 0) {
        throw new MisconfigurationError(`GradientAccumulationScheduler epoch keys must be non-negative integers; received ${epoch}.`, 'Epochs are zero-indexed: { 0: 4, 10: 1 }.');
      }
      if (!Number.isInteger(factor) || factor < 1) {
        throw new MisconfigurationError(`GradientAccumulationScheduler factors must be positive integers; epoch ${epoch} has ${factor}.`, 'Use 1 for no accumulation, 2 or more to accumulate.');
      }
    }
    entries.sort((a, b) => a[0] - b[0]);
    if (entries[0]?.[0] !== 0) entries.unshift([0, 1]);
    this.scheduling = entries;
  }

  accumulationFactor(epoch: number): number {
    let factor = 1;
    for (const [start, f] of this.scheduling) if (epoch >= start) factor = f;
    return factor;
  }

  override onTrainStart(trainer: TrainerContext, module: LightningModule): void {
    if (!module.automaticOptimization) {
      throw new MisconfigurationError('GradientAccumulationScheduler needs automatic optimization; the module uses manual optimization.', 'Accumulate in trainingStep yourself (step every N batches), or remove the callback.');
    }
    if (trainer.settings.accumulateGradBatches !== 1) {
      throw new MisconfigurationError(
        `accumulateGradBatches: ${trainer.settings.accumulateGradBatches} is set together with a GradientAccumulationScheduler.`,
        'Remove accumulateGradBatches from the Trainer options; the scheduler decides the factor.',
      );
    }
  }
}
