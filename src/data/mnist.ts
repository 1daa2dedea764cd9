/** `MnistDataset`: images and labels decoded from IDX files (MNIST, Fashion-MNIST), as a map-style dataset. */
import { CorruptFileError } from '../errors.js';
import type { MapDataset, ShapedArray } from './dataset.js';
import type { IdxArray } from './idx.js';
import { toTensor } from './transforms.js';
import type { ArrayLeaf, ArrayTree } from './collate-arrays.js';
import type { WorkerDatasetSpec } from './worker-spec.js';

/** Fashion-MNIST's class names, by label. */
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

/** uint8 → [0, 1], the same double `toTensor()` multiplies by (so batches hold the same numbers). */
const PIXEL_SCALE = 1 / 255;

/** Options of `MnistDataset`. */
export interface MnistDatasetOptions<X> {
  /** Applied to each uint8 `[28, 28]` image. Default: `toTensor()` (float32 `[1, 28, 28]` in [0, 1]). */
  transform?: (image: ShapedArray) => X;
  /** Recipe to rebuild this dataset in a worker (set by the file loaders when no transform function is given). */
  workerSpec?: WorkerDatasetSpec;
  /** Where the data came from, for `toString()`. */
  source?: string;
}

/** `[image, label]` samples from an IDX image array `[N, H, W]` (uint8) and a label array `[N]` (uint8). */
export class MnistDataset<X = ShapedArray> implements MapDataset<[X, number]> {
  readonly length: number;
  readonly imageShape: [number, number];
  readonly source: string;
  private readonly transform: (image: ShapedArray) => X;
  /**
   * Without a transform: the batch the default collate would make of these samples (float32 `[n, 1, H, W]` images
   * in [0, 1], int32 `[n]` labels), converted straight from the uint8 images into the batch array, without
   * per-sample arrays. The DataLoader uses it when it has no `collateFn`.
   */
  readonly collateItems?: (indices: readonly number[]) => ArrayTree;
  /** How to rebuild this dataset in a worker; absent when a transform function was given (functions cannot be sent). */
  readonly workerSpec?: () => WorkerDatasetSpec;

  constructor(
    readonly images: IdxArray,
    readonly labels: IdxArray,
    options: MnistDatasetOptions<X> = {},
  ) {
    this.source = options.source ?? 'memory';
    const [n, h, w] = images.shape;
    if (images.dtype !== 'uint8' || images.shape.length !== 3 || n === undefined || h === undefined || w === undefined) {
      throw new CorruptFileError(`${this.source}: expected uint8 images of shape [N, H, W], found ${images.dtype} [${images.shape.join(', ')}].`, 'Pass the *-images-idx3-ubyte file as images.');
    }
    if (labels.dtype !== 'uint8' || labels.shape.length !== 1 || labels.shape[0] !== n) {
      throw new CorruptFileError(
        `${this.source}: expected ${n} uint8 labels of shape [${n}], found ${labels.dtype} [${labels.shape.join(', ')}].`,
        'Images and labels must come from the same split (train-* with train-*, t10k-* with t10k-*).',
      );
    }
    this.length = n;
    this.imageShape = [h, w];
    this.transform = options.transform ?? (toTensor() as unknown as (image: ShapedArray) => X);
    if (options.transform === undefined) this.collateItems = (indices) => this.defaultBatch(indices);
    const spec = options.workerSpec;
    if (spec !== undefined) this.workerSpec = () => spec;
  }

  /** `[transform(image), label]`. */
  get(index: number): [X, number] {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new RangeError(`MnistDataset: index ${index} is out of range for ${this.length} samples.`);
    }
    const [h, w] = this.imageShape;
    const image = { data: (this.images.data as Uint8Array).subarray(index * h * w, (index + 1) * h * w), shape: [h, w] };
    return [this.transform(image), this.labels.data[index] as number];
  }

  /** `defaultCollate(indices.map(get))` without a transform, built directly (same values: × 1/255 like `toTensor`). */
  private defaultBatch(indices: readonly number[]): [ArrayLeaf, ArrayLeaf] {
    const [h, w] = this.imageShape;
    const size = h * w;
    const bytes = this.images.data as Uint8Array;
    const labels = this.labels.data;
    const x = new Float32Array(indices.length * size);
    const y = new Int32Array(indices.length);
    for (let k = 0; k < indices.length; k++) {
      const index = indices[k] as number;
      if (!Number.isInteger(index) || index < 0 || index >= this.length) {
        throw new RangeError(`MnistDataset: index ${index} is out of range for ${this.length} samples.`);
      }
      const from = index * size;
      const to = k * size;
      for (let i = 0; i < size; i++) x[to + i] = (bytes[from + i] as number) * PIXEL_SCALE;
      y[k] = labels[index] as number;
    }
    return [
      { __lightningArray: true, dtype: 'float32', shape: [indices.length, 1, h, w], data: x },
      { __lightningArray: true, dtype: 'int32', shape: [indices.length], data: y },
    ];
  }

  /** The label of every sample (e.g. to build a `WeightedRandomSampler`). */
  targets(): number[] {
    return Array.from(this.labels.data);
  }

  toString(): string {
    return `MnistDataset(${this.length} images of ${this.imageShape.join('×')} from ${this.source})`;
  }
}
