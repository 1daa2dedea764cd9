/** `LightningOptimizer`: what `this.optimizers()` returns; its `step` runs the hooks and counts global steps. */
import type { Optimizer, ParamGroup, StepClosure } from '../optim/optimizer.js';

/** Runs one optimizer step on behalf of the Trainer (hooks, clipping, counters). */
export type OptimizerStepper = (optimizer: Optimizer, closure: StepClosure | undefined) => unknown;

/** Wraps an `Optimizer` so that stepping it goes through the Trainer (like Lightning's `LightningOptimizer`). */
export class LightningOptimizer {
  constructor(
    /** The wrapped optimizer. */
    readonly optimizer: Optimizer,
    private readonly stepper: OptimizerStepper,
  ) {}

  /** The wrapped optimizer's param groups. */
  get paramGroups(): ParamGroup[] {
    return this.optimizer.paramGroups;
  }

  /**
   * Run `closure` (if given), then the `onBeforeOptimizerStep` hooks, then the update; counts one global step.
   * Returns what the closure returned.
   */
  step(closure?: StepClosure): unknown {
    return this.stepper(this.optimizer, closure);
  }

  /** Drop the gradients of this optimizer's parameters. */
  zeroGrad(): void {
    this.optimizer.zeroGrad();
  }
}
