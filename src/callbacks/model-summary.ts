/** `ModelSummary`: prints the model's layers, parameter counts and size at fit start (Lightning's `ModelSummary`). */
import type { LightningModule } from '../core/module.js';
import type { TrainerContext } from '../core/trainer-context.js';
import { MisconfigurationError } from '../errors.js';
import { Callback } from './callback.js';
import { formatSummaryTable, summarize } from './layer-summary.js';
import type { ModelSummaryData } from './layer-summary.js';

/** Options of `ModelSummary`. */
export interface ModelSummaryOptions {
  /** Depth of submodules listed (-1: all, 0: totals only, printed nothing in Lightning). Default: 1. */
  maxDepth?: number;
  /** Where the table goes. Default: `trainer.print` (global-zero process only). */
  print?: (text: string) => void;
}

/** Prints a table of layers (name, type, params, mode, in/out shapes with `exampleInputArray`) and totals at fit start. */
export class ModelSummary extends Callback {
  readonly maxDepth: number;
  /** The last summary computed (for programs that want the numbers). */
  lastSummary: ModelSummaryData | undefined;
  private readonly printFn: ((text: string) => void) | undefined;

  constructor(options: ModelSummaryOptions = {}) {
    super();
    this.maxDepth = options.maxDepth ?? 1;
    if (!Number.isInteger(this.maxDepth) || this.maxDepth < -1) {
      throw new MisconfigurationError(`ModelSummary maxDepth must be an integer >= -1; received ${this.maxDepth}.`, 'Use maxDepth: 1 (top-level layers), -1 (all) or 0 (none).');
    }
    this.printFn = options.print;
  }

  override onFitStart(trainer: TrainerContext, module: LightningModule): void {
    if (this.maxDepth === 0 || !trainer.isGlobalZero) return;
    this.lastSummary = summarize(module, this.maxDepth);
    const text = formatSummaryTable(this.lastSummary);
    if (this.printFn !== undefined) this.printFn(text);
    else trainer.print(text);
  }
}
