/** `ProgressBarBase`: what every progress bar needs from the trainer (totals, metrics with `v_num`), for custom bars. */
import type { TrainerContext } from '../../core/trainer-context.js';
import { Callback } from '../callback.js';

/**
 * Base class for progress bars: subclass it and implement the batch hooks you want to show. The Trainer adds
 * no second bar when one of these is among the callbacks.
 */
export abstract class ProgressBarBase extends Callback {
  private enabled = true;

  /** Whether the bar draws anything. */
  get isEnabled(): boolean {
    return this.enabled;
  }

  /** Stop drawing (e.g. on non-zero ranks). */
  disable(): void {
    this.enabled = false;
  }

  /** Draw again after `disable()`. */
  enable(): void {
    this.enabled = true;
  }

  /** Label of the sanity-check bar. */
  get sanityCheckDescription(): string {
    return 'Sanity Checking';
  }

  /** Label of the validation bar. */
  get validationDescription(): string {
    return 'Validation';
  }

  /** Label of the test bar. */
  get testDescription(): string {
    return 'Testing';
  }

  /** Label of the predict bar. */
  get predictDescription(): string {
    return 'Predicting';
  }

  /** Label of the main bar during fit. */
  trainDescription(trainer: TrainerContext): string {
    return `Epoch ${trainer.currentEpoch}`;
  }

  /** Training batches per epoch (Infinity for data without a length). */
  totalTrainBatches(trainer: TrainerContext): number {
    return trainer.numTrainingBatches;
  }

  /** Validation batches of one validation run (all dataloaders; the sanity check's while it runs). */
  totalValBatches(trainer: TrainerContext): number {
    return sum(trainer.sanityChecking ? trainer.numSanityValBatches : trainer.numValBatches);
  }

  /** Test batches (all dataloaders). */
  totalTestBatches(trainer: TrainerContext): number {
    return sum(trainer.numTestBatches);
  }

  /** Predict batches (all dataloaders). */
  totalPredictBatches(trainer: TrainerContext): number {
    return sum(trainer.numPredictBatches);
  }

  /**
   * What the bar shows: `trainer.progressBarMetrics` plus `v_num`, the first logger's version. Reading the
   * metrics may sync tensors, so call it only when redrawing.
   */
  getMetrics(trainer: TrainerContext): Record<string, number | string> {
    const metrics: Record<string, number | string> = { ...trainer.progressBarMetrics };
    const version = trainer.logger?.version;
    if (version !== undefined) metrics.v_num = version;
    return metrics;
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
