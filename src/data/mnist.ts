/** `MnistDataset`: images and labels decoded from IDX files (MNIST, Fashion-MNIST), as a map-style dataset. */
import { CorruptFileError } from '../errors.js';
import type { MapDataset, ShapedArray } from './dataset.js';
import type { IdxArray } from './idx.js';
import { toTensor } from './transforms.js';
import type { FloatImage } from './transforms.js';
import type { WorkerDatasetSpec } from './worker-spec.js';

/** Fashion-MNIST's class names, by label. */
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

/** uint8 → [0, 1], the same double `toTensor()` multiplies by (so the cached floats are the same numbers). */
const PIXEL_SCALE = 1 / 255;

/** Options of `MnistDataset`. */
export interface MnistDatasetOptions<X> {
  /** Applied to each uint8 `[28, 28]` image. Default: `toTensor()` (float32 `[1, 28, 28]` in [0, 1]). */
  transform?: (image: ShapedArray) => X;
  /**
   * Without a `transform`: convert each image to float32 once, into one array kept for the dataset's lifetime
   * (4 bytes per pixel of every image read: 188 MB for the 60 000 Fashion-MNIST training images), and hand out
   * read-only views of it instead of a fresh array per read. Same values as `toTensor()`. Default: true.
   */
  floatCache?: boolean;
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
  /** The float32 images (`floatCache`), allocated on first read and filled image by image as they are read. */
  private floats: Float32Array | undefined;
  private converted: Uint8Array | undefined;
  private readonly useFloatCache: boolean;
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
    this.useFloatCache = options.transform === undefined && (options.floatCache ?? true);
    const spec = options.workerSpec;
    if (spec !== undefined) this.workerSpec = () => spec;
  }

  /** `[transform(image), label]` (with the float cache: a read-only float32 `[1, H, W]` view, as `toTensor()` gives). */
  get(index: number): [X, number] {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new RangeError(`MnistDataset: index ${index} is out of range for ${this.length} samples.`);
    }
    const [h, w] = this.imageShape;
    if (this.useFloatCache) return [this.cachedImage(index, h, w) as unknown as X, this.labels.data[index] as number];
    const image = { data: (this.images.data as Uint8Array).subarray(index * h * w, (index + 1) * h * w), shape: [h, w] };
    return [this.transform(image), this.labels.data[index] as number];
  }

  /** Image `index` as float32 `[1, H, W]` in [0, 1]: a view of the cache, converted on first read (× 1/255 like `toTensor`). */
  private cachedImage(index: number, h: number, w: number): FloatImage {
    const size = h * w;
    const start = index * size;
    this.floats ??= new Float32Array(this.length * size);
    this.converted ??= new Uint8Array(this.length);
    const floats = this.floats;
    if (this.converted[index] === 0) {
      const bytes = this.images.data as Uint8Array;
      for (let i = start; i < start + size; i++) floats[i] = (bytes[i] as number) * PIXEL_SCALE;
      this.converted[index] = 1;
    }
    return { data: floats.subarray(start, start + size), shape: [1, h, w] };
  }

  /** The label of every sample (e.g. to build a `WeightedRandomSampler`). */
  targets(): number[] {
    return Array.from(this.labels.data);
  }

  toString(): string {
    return `MnistDataset(${this.length} images of ${this.imageShape.join('×')} from ${this.source})`;
  }
}
