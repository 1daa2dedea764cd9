// A CSV file as a LightningDataModule: typed columns, one-hot categories, a seeded train/val split, and features
// standardised with statistics of the training split only.
import { fileURLToPath } from 'node:url';
import { DataLoader, LightningDataModule, data, randomSplit } from '../../src/index.js';
import type { CsvDataset, DataSource, MapDataset, Tensor, TrainerFn } from '../../src/index.js';

/** A batch: standardised features [B, F] and targets [B] (int32 class indices or float32 values). */
export type TabularBatch = [Tensor, Tensor];

type Row = [data.ShapedArray, data.ShapedArray];

/** The iris measurements shipped with this example (150 rows). */
export const IRIS_CSV = fileURLToPath(new URL('./data/iris.csv', import.meta.url));

/** Options of `CsvDataModule`. */
export interface CsvDataOptions {
  /** Path of the CSV file (header line first). Default: the shipped iris.csv. */
  path?: string;
  /** Column to predict. Default: "species". */
  target?: string;
  /** Samples per batch. Default: 16. */
  batchSize?: number;
  /** Share of the rows used for validation. Default: 0.2. */
  valFraction?: number;
  /** Seed of the split. Default: 0. */
  splitSeed?: number;
}

/** Loads a CSV file, splits it, and serves standardised feature vectors with their targets. */
export class CsvDataModule extends LightningDataModule<TabularBatch> {
  private train: MapDataset<Row> | undefined;
  private val: MapDataset<Row> | undefined;
  /** The parsed file (after `setup`): column names, types and category names. */
  table: CsvDataset | undefined;
  /** Feature width after one-hot encoding (after `setup`). */
  numFeatures = 0;
  readonly batchSize: number;

  constructor(private readonly options: CsvDataOptions = {}) {
    super();
    this.batchSize = options.batchSize ?? 16;
    this.saveHyperparameters({ path: options.path ?? IRIS_CSV, target: options.target ?? 'species', batchSize: this.batchSize, valFraction: options.valFraction ?? 0.2 });
  }

  /** Number of classes of a text or integer target; undefined for a fractional (regression) target. */
  get numClasses(): number | undefined {
    const table = this.table;
    const target = table?.targetName;
    if (table === undefined || target === undefined) throw new Error('numClasses is known after setup().');
    if (table.types[target] === 'category') return table.categories[target]?.length;
    if (table.types[target] === 'float32') return undefined;
    let max = 0;
    for (let i = 0; i < table.length; i++) max = Math.max(max, (table.get(i) as Row)[1].data[0] ?? 0);
    return max + 1;
  }

  override async setup(_stage: TrainerFn): Promise<void> {
    if (this.table !== undefined) return;
    // Column types are inferred: a text or integer target is a class, a fractional one a regression target.
    this.table = await data.loadCsvDataset(this.options.path ?? IRIS_CSV, { target: this.options.target ?? 'species' });
    const encode = this.oneHot(this.table);
    const fraction = this.options.valFraction ?? 0.2;
    const [train, val] = randomSplit<Row>(this.table as MapDataset<Row>, [1 - fraction, fraction], { seed: this.options.splitSeed ?? 0 });
    if (train === undefined || val === undefined) throw new Error('randomSplit returns one subset per fraction.');
    const rows = await Promise.all(Array.from({ length: train.length }, async (_, i) => await train.get(i)));
    const features = rows.map(([x]) => encode(x.data));
    this.numFeatures = features[0]?.length ?? 0;
    const mean = new Float32Array(this.numFeatures);
    const std = new Float32Array(this.numFeatures);
    for (let j = 0; j < this.numFeatures; j++) {
      const column = features.map((f) => f[j] ?? 0);
      mean[j] = column.reduce((a, b) => a + b, 0) / column.length;
      std[j] = Math.sqrt(column.reduce((a, b) => a + (b - (mean[j] ?? 0)) ** 2, 0) / column.length) || 1;
    }
    const standardise = ([x, y]: Row): Row => {
      const encoded = encode(x.data).map((v, j) => (v - (mean[j] ?? 0)) / (std[j] ?? 1));
      return [{ data: encoded, shape: [this.numFeatures] }, y];
    };
    this.train = new data.MappedDataset(train, standardise);
    this.val = new data.MappedDataset(val, standardise);
  }

  /** Expand category feature columns (stored as indices) into one-hot blocks. */
  private oneHot(table: CsvDataset): (row: ArrayLike<number>) => Float32Array {
    const widths = table.featureNames.map((name) => (table.types[name] === 'category' ? (table.categories[name]?.length ?? 1) : 1));
    const total = widths.reduce((a, b) => a + b, 0);
    return (row) => {
      const out = new Float32Array(total);
      let o = 0;
      widths.forEach((w, j) => {
        const v = row[j] ?? 0;
        if (table.types[table.featureNames[j] ?? ''] === 'category') out[o + v] = 1;
        else out[o] = v;
        o += w;
      });
      return out;
    };
  }

  override trainDataloader(): DataSource<TabularBatch> {
    if (this.train === undefined) throw new Error('setup() runs before trainDataloader().');
    return new DataLoader(this.train, { batchSize: this.batchSize, shuffle: true }) as DataSource<TabularBatch>;
  }

  override valDataloader(): DataSource<TabularBatch> {
    if (this.val === undefined) throw new Error('setup() runs before valDataloader().');
    return new DataLoader(this.val, { batchSize: 64 }) as DataSource<TabularBatch>;
  }
}
