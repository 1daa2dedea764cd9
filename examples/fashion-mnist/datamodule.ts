// Fashion-MNIST as a LightningDataModule: the shipped 5 000-image sample by default, the full set when asked.
import { DataLoader, LightningDataModule, data, randomSplit } from '../../src/index.js';
import type { DataSource, MapDataset, TrainerFn } from '../../src/index.js';
import type { ImageBatch } from './lit-mnist.js';

/** Options of `FashionMNISTDataModule`. */
export interface FashionMnistDataOptions {
  /** Samples per batch. Default: 64. */
  batchSize?: number;
  /** Use the full dataset (Debian's dataset-fashion-mnist, a local `root`, or a download) instead of the shipped sample. Default: false. */
  full?: boolean;
  /** Directory with the IDX files. Default: found automatically. */
  root?: string;
  /** Share of the training split used for validation. Default: 0.1. */
  valFraction?: number;
  /** Seed of the train/validation split. Default: 0. */
  splitSeed?: number;
}

/** Train/validation/test loaders over Fashion-MNIST. */
export class FashionMNISTDataModule extends LightningDataModule<ImageBatch> {
  private train: MapDataset | undefined;
  private val: MapDataset | undefined;
  private test: MapDataset | undefined;
  private readonly batchSize: number;

  constructor(private readonly options: FashionMnistDataOptions = {}) {
    super();
    this.batchSize = options.batchSize ?? 64;
    this.saveHyperparameters({ batchSize: this.batchSize, full: options.full ?? false, valFraction: options.valFraction ?? 0.1 });
  }

  private async load(train: boolean): Promise<MapDataset> {
    const { full = false, root } = this.options;
    const sample = data.shippedSampleDir();
    const source = root ?? (full ? undefined : sample);
    return await data.loadFashionMNIST({ train, ...(source === undefined ? {} : { root: source }) });
  }

  override async setup(stage: TrainerFn): Promise<void> {
    if (stage === 'fit' || stage === 'validate') {
      const all = await this.load(true);
      const fraction = this.options.valFraction ?? 0.1;
      [this.train, this.val] = randomSplit(all, [1 - fraction, fraction], { seed: this.options.splitSeed ?? 0 });
    }
    if (stage === 'test' || stage === 'predict') this.test = await this.load(false);
  }

  override trainDataloader(): DataSource<ImageBatch> {
    return new DataLoader(this.require(this.train, 'train'), { batchSize: this.batchSize, shuffle: true }) as DataSource<ImageBatch>;
  }

  override valDataloader(): DataSource<ImageBatch> {
    return new DataLoader(this.require(this.val, 'validation'), { batchSize: 256 }) as DataSource<ImageBatch>;
  }

  override testDataloader(): DataSource<ImageBatch> {
    return new DataLoader(this.require(this.test, 'test'), { batchSize: 256 }) as DataSource<ImageBatch>;
  }

  override predictDataloader(): DataSource<ImageBatch> {
    return this.testDataloader();
  }

  private require(dataset: MapDataset | undefined, split: string): MapDataset {
    if (dataset === undefined) throw new Error(`The ${split} split is not set up; the Trainer calls setup() first.`);
    return dataset;
  }
}
