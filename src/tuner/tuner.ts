/**
 * `Tuner`: the learning-rate range test and the batch-size search (Lightning's `Tuner.lr_find` and
 * `scale_batch_size`). Each search runs short fits of its own and restores the module's weights, training modes
 * and the global RNG exactly afterwards, so the real fit starts as if no search had happened.
 */
import type { DataHooks, DataSources } from '../core/hooks.js';
import type { LightningModule } from '../core/module.js';
import { MisconfigurationError } from '../errors.js';
import { tf } from '../runtime/tf.js';
import type { Tensor } from '../runtime/tf.js';
import { Trainer } from '../trainer/trainer.js';
import type { TrainerOptions } from '../trainer/trainer-options.js';
import { isolateRng } from '../utilities/seed.js';
import { LearningRateFinder } from './lr-finder.js';
import type { LrFinderOptions, LrFinderResult } from './lr-finder.js';

/** Data arguments of the searches (as for `fit`). */
export interface TunerData<B = unknown> {
  trainDataloaders?: DataSources<B>;
  datamodule?: DataHooks<B>;
}

/** Options of `lrFind`. */
export interface LrFindOptions<B = unknown> extends LrFinderOptions, TunerData<B> {
  /** Set the suggested lr on the module (`attrName`, else an `lr` or `learningRate` field). Default: true. */
  updateAttr?: boolean;
  /** Field of the module to set. Default: "lr", then "learningRate". */
  attrName?: string;
}

/** Options of `scaleBatchSize`. */
export interface ScaleBatchSizeOptions<B = unknown> extends TunerData<B> {
  /** Only "power" (double until it fails) is supported. Default: "power". */
  mode?: 'power';
  /** Training steps per trial. Default: 3. */
  stepsPerTrial?: number;
  /** First batch size tried. Default: 2. */
  initVal?: number;
  /** Most trials. Default: 25. */
  maxTrials?: number;
  /** The module or datamodule field holding the batch size; dataloaders are re-created from it for each trial. Default: "batchSize". */
  batchArgName?: string;
  /** Largest batch size tried. Default: 8192. */
  maxVal?: number;
  /** Whether an error means "this batch size does not fit". Default: messages about memory (OOM, allocation). */
  isOutOfMemory?: (error: unknown) => boolean;
}

/** Default OOM test: TF.js and WASM allocation failures. */
export function isOutOfMemoryError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /out of memory|\bOOM\b|failed to allocate|allocation failed|Cannot enlarge memory|Array buffer allocation/i.test(message);
}

type Snapshot = { weights: Map<string, Tensor>; modes: Array<[{ training: boolean }, boolean]> };

function snapshot(module: LightningModule): Snapshot {
  const weights = new Map(Object.entries(module.stateDict()).map(([k, t]) => [k, tf.keep(tf.clone(t))]));
  return { weights, modes: module.modules().map((m) => [m, m.training]) };
}

function restore(module: LightningModule, s: Snapshot): void {
  module.loadStateDict(Object.fromEntries(s.weights));
  for (const [m, training] of s.modes) m.training = training;
  for (const t of s.weights.values()) t.dispose();
  module.zeroGrad();
}

function findField(target: object | undefined, names: string[]): [Record<string, unknown>, string] | undefined {
  if (target === undefined) return undefined;
  const rec = target as Record<string, unknown>;
  for (const name of names) if (typeof rec[name] === 'number') return [rec, name];
  return undefined;
}

/** Runs tuning searches with the settings of `trainer` (backend, limits, clipping). */
export class Tuner {
  constructor(readonly trainer: Trainer) {}

  /** Options of the short fits: the trainer's engineering settings, no logging, checkpoints, bars or validation. */
  private searchOptions(maxSteps: number, callbacks: TrainerOptions['callbacks']): TrainerOptions {
    const o = this.trainer.options;
    const options: TrainerOptions = {
      accelerator: o.accelerator, maxSteps, maxEpochs: -1, limitTrainBatches: o.limitTrainBatches, limitValBatches: 0, numSanityValSteps: 0,
      gradientClipAlgorithm: o.gradientClipAlgorithm, deterministic: o.deterministic, defaultRootDir: o.defaultRootDir, logger: false,
      enableCheckpointing: false, enableProgressBar: false, enableModelSummary: false, enableAutologHparams: false, handleSignals: false,
    };
    if (o.gradientClipVal !== undefined) options.gradientClipVal = o.gradientClipVal;
    if (callbacks !== undefined) options.callbacks = callbacks;
    return options;
  }

  /** Run `search` and put the module (weights, modes) and the global RNG back as they were. */
  private async preserving<T>(module: LightningModule, search: () => Promise<T>): Promise<T> {
    const saved = snapshot(module);
    try {
      return await isolateRng(search);
    } finally {
      restore(module, saved);
    }
  }

  /**
   * The learning-rate range test: `numTraining` steps from `minLr` to `maxLr`. Returns `{ lrs, losses, suggestion() }`;
   * with `updateAttr` the suggestion is written to the module's lr field.
   */
  async lrFind<B>(module: LightningModule<B>, options: LrFindOptions<B> = {}): Promise<LrFinderResult> {
    const updateAttr = options.updateAttr ?? true;
    const names = options.attrName !== undefined ? [options.attrName] : ['lr', 'learningRate'];
    const field = findField(module, names);
    if (updateAttr && field === undefined) {
      throw new MisconfigurationError(
        `lrFind(updateAttr: true) found no numeric field ${names.map((n) => `"${n}"`).join(' or ')} on ${module.constructor.name}.`,
        'Add an lr field that configureOptimizers reads (this.lr), pass { attrName }, or pass { updateAttr: false }.',
      );
    }
    const finder = new LearningRateFinder(options);
    await this.preserving(module, async () => {
      const trainer = new Trainer(this.searchOptions(finder.options.numTraining, [finder]));
      try {
        await trainer.fit(module, dataArgs(options));
      } finally {
        releaseOptimizers(trainer);
      }
    });
    const result = finder.result();
    const lr = result.suggestion();
    if (updateAttr && field !== undefined && lr !== undefined) field[0][field[1]] = lr;
    return result;
  }

  /**
   * The largest batch size that trains (power mode: double from `initVal` until a trial runs out of memory or
   * reaches `maxVal`). The batch size lives in the module's (or datamodule's) `batchArgName` field, which the
   * dataloader hooks must read; it is left at the result.
   */
  async scaleBatchSize<B>(module: LightningModule<B>, options: ScaleBatchSizeOptions<B> = {}): Promise<number> {
    const name = options.batchArgName ?? 'batchSize';
    const field = findField(options.datamodule, [name]) ?? findField(module, [name]);
    if (field === undefined) {
      throw new MisconfigurationError(
        `scaleBatchSize found no numeric field "${name}" on the datamodule or ${module.constructor.name}.`,
        `Keep the batch size in this.${name} and build the dataloaders from it in trainDataloader(), or pass { batchArgName }.`,
      );
    }
    if ((options.mode ?? 'power') !== 'power') {
      throw new MisconfigurationError(`scaleBatchSize mode ${JSON.stringify(options.mode)} is not supported.`, 'Use mode: "power".');
    }
    if (options.trainDataloaders !== undefined) {
      throw new MisconfigurationError('scaleBatchSize cannot resize dataloaders passed directly.', `Build them in trainDataloader() from this.${name}.`);
    }
    const [target, key] = field;
    const steps = options.stepsPerTrial ?? 3;
    const maxTrials = options.maxTrials ?? 25;
    const maxVal = options.maxVal ?? 8192;
    const isOom = options.isOutOfMemory ?? isOutOfMemoryError;
    let size = options.initVal ?? 2;
    let lastGood: number | undefined;
    await this.preserving(module, async () => {
      for (let trial = 0; trial < maxTrials; trial++) {
        target[key] = size;
        const trainer = new Trainer(this.searchOptions(steps, []));
        try {
          await trainer.fit(module, dataArgs(options));
        } catch (error) {
          releaseOptimizers(trainer);
          if (!isOom(error)) throw error;
          if (lastGood !== undefined) break;
          size = Math.max(1, Math.floor(size / 2));
          if (size === 1 && trial > 0) break;
          continue;
        }
        releaseOptimizers(trainer);
        lastGood = size;
        if (size * 2 > maxVal) break;
        size *= 2;
      }
    });
    const result = lastGood ?? size;
    target[key] = result;
    return result;
  }
}

/** Free the optimizer state (momentum buffers, ...) of a search fit: those optimizers are never used again. */
function releaseOptimizers(trainer: Trainer): void {
  for (const o of trainer.optimizers) (o as { disposeState?: () => void }).disposeState?.();
}

function dataArgs<B>(o: TunerData<B>): { trainDataloaders?: DataSources<B>; datamodule?: DataHooks<B> } {
  const out: { trainDataloaders?: DataSources<B>; datamodule?: DataHooks<B> } = {};
  if (o.trainDataloaders !== undefined) out.trainDataloaders = o.trainDataloaders;
  if (o.datamodule !== undefined) out.datamodule = o.datamodule;
  return out;
}
