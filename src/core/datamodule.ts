/**
 * `LightningDataModule`: everything about the data of a project in one class — download (`prepareData`), splits
 * (`setup`), loaders, and cleanup — so the same data can be used with any model. The Trainer calls its hooks in
 * Lightning's order (fit: prepareData, setup("fit"), valDataloader, trainDataloader, ..., teardown("fit")).
 */
import type { Dataset } from '../data/dataset.js';
import { DataLoader } from '../data/dataloader.js';
import type { Awaitable, DataHooks, DataSources, TrainerFn } from './hooks.js';

/** The stage `setup` and `teardown` receive. */
export type Stage = TrainerFn;

/** One dataset, or several (one DataLoader each). */
export type DatasetOrList = Dataset | Dataset[];

/** Options of `LightningDataModule.fromDatasets`. */
export interface FromDatasetsOptions {
  /** Training data (loaded with `shuffle: true`). Default: none. */
  train?: DatasetOrList;
  /** Validation data. Default: none. */
  val?: DatasetOrList;
  /** Test data. Default: none. */
  test?: DatasetOrList;
  /** Prediction data. Default: none. */
  predict?: DatasetOrList;
  /** Batch size of every loader. Default: 1. */
  batchSize?: number;
  /** Worker threads of every loader. Default: 0. */
  numWorkers?: number;
}

/**
 * Base class of a data module: override the hooks you need. Every hook is optional; a loader hook may return a
 * DataLoader (or any iterable of batches), an array of them, or a promise of either.
 *
 * @example
 * class FashionData extends LightningDataModule {
 *   train?: Dataset; val?: Dataset;
 *   constructor(readonly options: { batchSize: number }) { super(); this.saveHyperparameters(options); }
 *   override async setup(stage: Stage) {
 *     if (stage === 'fit') [this.train, this.val] = randomSplit(await FashionMNIST.load(), [0.9, 0.1], { seed: 0 });
 *   }
 *   override trainDataloader() { return new DataLoader(this.train!, { batchSize: this.options.batchSize, shuffle: true }); }
 *   override valDataloader() { return new DataLoader(this.val!, { batchSize: this.options.batchSize }); }
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the data hooks are declared once, in DataHooks
export class LightningDataModule<B = unknown> implements DataHooks<B> {
  /** Call `prepareData` on local rank 0 of every node (true) or only on global rank 0 (false). */
  prepareDataPerNode = true;
  #hparams: Readonly<Record<string, unknown>> = Object.freeze({});

  /** Hyperparameters saved with `saveHyperparameters` (stored in checkpoints and logged with the model's). */
  get hparams(): Readonly<Record<string, unknown>> {
    return this.#hparams;
  }

  /** Store hyperparameters explicitly (no frame inspection): pass the options your constructor received. */
  saveHyperparameters(hparams: Record<string, unknown>, options: { ignore?: string[] } = {}): void {
    const ignore = new Set(options.ignore ?? []);
    this.#hparams = Object.freeze(Object.fromEntries(Object.entries(hparams).filter(([k]) => !ignore.has(k))));
  }

  /** State saved in checkpoints under the class name (empty by default). */
  stateDict(): Record<string, unknown> {
    return {};
  }

  /** Restore what `stateDict` returned. */
  loadStateDict(_state: Record<string, unknown>): void {}

  /**
   * Rebuild a data module from a checkpoint: `new Cls({ ...savedHyperparameters, ...overrides })`, then its saved
   * `stateDict()` is loaded. The constructor must take the hyperparameters object it saved.
   */
  static async loadFromCheckpoint<D extends LightningDataModule>(
    this: new (hparams: never) => D,
    path: string,
    options: { overrides?: Record<string, unknown> } = {},
  ): Promise<D> {
    const { loadCheckpoint, disposeCheckpoint } = await import('../checkpoint/index.js');
    const { checkpointIO } = await import('../checkpoint/default-io.js');
    const doc = await loadCheckpoint(path, await checkpointIO());
    try {
      const dm = new this({ ...(doc.datamoduleHyperParameters ?? {}), ...(options.overrides ?? {}) } as never);
      if (doc.datamoduleState !== undefined) dm.loadStateDict(doc.datamoduleState);
      return dm;
    } finally {
      disposeCheckpoint(doc);
    }
  }

  /** A data module serving the given datasets (train shuffled), like Lightning's `from_datasets`. */
  static fromDatasets(options: FromDatasetsOptions): LightningDataModule {
    const batchSize = options.batchSize ?? 1;
    const numWorkers = options.numWorkers ?? 0;
    const loaders = (data: DatasetOrList, shuffle: boolean): DataSources =>
      Array.isArray(data) ? data.map((d: Dataset) => new DataLoader(d, { batchSize, numWorkers, shuffle })) : new DataLoader(data, { batchSize, numWorkers, shuffle });
    const dm = new LightningDataModule();
    const { train, val, test, predict } = options;
    if (train !== undefined) dm.trainDataloader = () => loaders(train, true);
    if (val !== undefined) dm.valDataloader = () => loaders(val, false);
    if (test !== undefined) dm.testDataloader = () => loaders(test, false);
    if (predict !== undefined) dm.predictDataloader = () => loaders(predict, false);
    dm.saveHyperparameters({ batchSize, numWorkers });
    return dm;
  }

  /** The class name and which loaders it defines. */
  toString(): string {
    const hooks = (['trainDataloader', 'valDataloader', 'testDataloader', 'predictDataloader'] as const).filter((h) => this[h] !== undefined);
    return `${this.constructor.name}(${hooks.join(', ') || 'no dataloaders'})`;
  }
}

// The optional data hooks (prepareData, setup, teardown, *Dataloader, batch transfer, onException) come from DataHooks.
 
export interface LightningDataModule<B = unknown> extends DataHooks<B> {
  /** Called when a run fails with `error`. */
  onException?(error: unknown): Awaitable<void>;
}
