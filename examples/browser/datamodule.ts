// Fashion-MNIST for a web page: the same splits and loaders as examples/fashion-mnist/datamodule.ts, with the IDX
// files fetched over HTTP (the shipped sample, served next to the page) instead of read from disk.
import { DataLoader, LightningDataModule, fetchFashionMNIST, randomSplit } from '../../src/browser.js';
import type { DataSource, MapDataset, TrainerFn } from '../../src/browser.js';
import type { ImageBatch } from '../fashion-mnist/lit-mnist.js';

/** Options of `FetchedFashionMNIST`. */
export interface FetchedFashionMnistOptions {
  /** URL of the folder with the four IDX files. Default: `'data/fashion-mnist-sample/'` (relative to the page). */
  baseUrl?: string;
  /** Samples per training batch. Default: 64. */
  batchSize?: number;
  /** Share of the training split used for validation. Default: 0.1. */
  valFraction?: number;
}

/** Train/validation/test loaders over Fashion-MNIST fetched by URL. */
export class FetchedFashionMNIST extends LightningDataModule<ImageBatch> {
  private train: MapDataset | undefined;
  private val: MapDataset | undefined;
  private test: MapDataset | undefined;
  private readonly baseUrl: string;
  private readonly batchSize: number;
  private readonly valFraction: number;

  constructor(options: FetchedFashionMnistOptions = {}) {
    super();
    this.baseUrl = options.baseUrl ?? 'data/fashion-mnist-sample/';
    this.batchSize = options.batchSize ?? 64;
    this.valFraction = options.valFraction ?? 0.1;
    this.saveHyperparameters({ batchSize: this.batchSize, valFraction: this.valFraction });
  }

  override async setup(stage: TrainerFn): Promise<void> {
    if ((stage === 'fit' || stage === 'validate') && this.train === undefined) {
      const all = await fetchFashionMNIST({ baseUrl: this.baseUrl, train: true });
      [this.train, this.val] = randomSplit(all, [1 - this.valFraction, this.valFraction], { seed: 0 });
    }
    if ((stage === 'test' || stage === 'predict') && this.test === undefined) {
      this.test = await fetchFashionMNIST({ baseUrl: this.baseUrl, train: false });
    }
  }

  override trainDataloader(): DataSource<ImageBatch> {
    return new DataLoader(this.need(this.train), { batchSize: this.batchSize, shuffle: true }) as DataSource<ImageBatch>;
  }

  override valDataloader(): DataSource<ImageBatch> {
    return new DataLoader(this.need(this.val), { batchSize: 256 }) as DataSource<ImageBatch>;
  }

  override testDataloader(): DataSource<ImageBatch> {
    return new DataLoader(this.need(this.test), { batchSize: 256 }) as DataSource<ImageBatch>;
  }

  private need(dataset: MapDataset | undefined): MapDataset {
    if (dataset === undefined) throw new Error('The datamodule is not set up; the Trainer calls setup() first.');
    return dataset;
  }
}
