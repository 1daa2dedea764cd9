/**
 * Transforms are plain functions `(x) => y` over `{ data, shape }` images (channels first, `[C, H, W]`), composed
 * with `compose`. They run wherever samples are loaded — on a worker thread with `numWorkers > 0` — so they use
 * typed arrays, not tensors. Random transforms draw from `random` (default `Math.random`, which `seedEverything`
 * seeds on the main thread and each DataLoader worker seeds per worker).
 */
import { MisconfigurationError } from '../errors.js';
import type { MapDataset, MaybePromise, ShapedArray } from './dataset.js';

/** A transform: any function of one argument. */
export type Transform<A, B> = (input: A) => B;

/** A float image, channels first. */
export interface FloatImage {
  data: Float32Array;
  shape: number[];
}

/** Chain transforms left to right: `compose(f, g)(x) === g(f(x))`. */
export function compose<A, B>(f: Transform<A, B>): Transform<A, B>;
export function compose<A, B, C>(f: Transform<A, B>, g: Transform<B, C>): Transform<A, C>;
export function compose<A, B, C, D>(f: Transform<A, B>, g: Transform<B, C>, h: Transform<C, D>): Transform<A, D>;
export function compose<A, B, C, D, E>(f: Transform<A, B>, g: Transform<B, C>, h: Transform<C, D>, i: Transform<D, E>): Transform<A, E>;
export function compose(...fns: Array<Transform<unknown, unknown>>): Transform<unknown, unknown>;
export function compose(...fns: Array<Transform<unknown, unknown>>): Transform<unknown, unknown> {
  return (x) => fns.reduce((acc, f) => f(acc), x);
}

/**
 * Like torchvision's `ToTensor`: an image `[H, W]` or `[H, W, C]` (uint8 0..255 or float) becomes a float32
 * `[C, H, W]` array, integers scaled to [0, 1]. The DataLoader's collate stacks it into a tensor.
 */
export function toTensor(): Transform<ShapedArray, FloatImage> {
  return ({ data, shape }) => {
    const [h, w, c = 1] = shape;
    if (h === undefined || w === undefined || shape.length > 3) {
      throw new MisconfigurationError(`toTensor expects an image of shape [H, W] or [H, W, C], received [${shape.join(', ')}].`);
    }
    const scale = data instanceof Float32Array ? 1 : 1 / 255;
    const out = new Float32Array(h * w * c);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) out[k * h * w + y * w + x] = (data[(y * w + x) * c + k] as number) * scale;
    return { data: out, shape: [c, h, w] };
  };
}

/** Per-channel `(x - mean[c]) / std[c]` on a `[C, H, W]` float image (one value broadcasts to all channels). */
export function normalize(mean: readonly number[], std: readonly number[]): Transform<FloatImage, FloatImage> {
  if (std.some((s) => s === 0)) throw new MisconfigurationError(`normalize: std must be non-zero, received [${std.join(', ')}].`);
  return ({ data, shape }) => {
    const c = shape.length === 3 ? (shape[0] as number) : 1;
    const plane = data.length / c;
    const out = new Float32Array(data.length);
    for (let k = 0; k < c; k++) {
      const m = mean[k] ?? mean[0] ?? 0;
      const s = std[k] ?? std[0] ?? 1;
      for (let i = k * plane; i < (k + 1) * plane; i++) out[i] = ((data[i] as number) - m) / s;
    }
    return { data: out, shape: [...shape] };
  };
}

/** Options of `randomCrop`. */
export interface RandomCropOptions {
  /** Zero padding added on every side before cropping. Default: 0. */
  padding?: number;
  /** Source of uniform [0, 1) numbers. Default: `Math.random`. */
  random?: () => number;
}

/** Crop a random `size × size` window of a `[C, H, W]` image (after optional zero padding). */
export function randomCrop(size: number, options: RandomCropOptions = {}): Transform<FloatImage, FloatImage> {
  const pad = options.padding ?? 0;
  const random = options.random ?? Math.random;
  return ({ data, shape }) => {
    const [c, h, w] = shape.length === 3 ? (shape as [number, number, number]) : [1, shape[0] ?? 0, shape[1] ?? 0];
    if (h + 2 * pad < size || w + 2 * pad < size) {
      throw new MisconfigurationError(`randomCrop(${size}) cannot crop an image of ${h}×${w} with padding ${pad}.`);
    }
    const top = Math.floor(random() * (h + 2 * pad - size + 1)) - pad;
    const left = Math.floor(random() * (w + 2 * pad - size + 1)) - pad;
    const out = new Float32Array(c * size * size);
    for (let k = 0; k < c; k++) {
      for (let y = 0; y < size; y++) {
        const sy = top + y;
        if (sy < 0 || sy >= h) continue;
        for (let x = 0; x < size; x++) {
          const sx = left + x;
          if (sx >= 0 && sx < w) out[k * size * size + y * size + x] = data[k * h * w + sy * w + sx] as number;
        }
      }
    }
    return { data: out, shape: shape.length === 3 ? [c, size, size] : [size, size] };
  };
}

/** Options of `randomHorizontalFlip`. */
export interface RandomFlipOptions {
  /** Probability of flipping. Default: 0.5. */
  p?: number;
  /** Source of uniform [0, 1) numbers. Default: `Math.random`. */
  random?: () => number;
}

/** Mirror a `[C, H, W]` (or `[H, W]`) image left-right with probability `p`. */
export function randomHorizontalFlip(options: RandomFlipOptions = {}): Transform<FloatImage, FloatImage> {
  const p = options.p ?? 0.5;
  const random = options.random ?? Math.random;
  return (image) => {
    if (random() >= p) return image;
    const w = image.shape[image.shape.length - 1] ?? 1;
    const out = new Float32Array(image.data.length);
    for (let row = 0; row < image.data.length / w; row++) {
      for (let x = 0; x < w; x++) out[row * w + x] = image.data[row * w + (w - 1 - x)] as number;
    }
    return { data: out, shape: [...image.shape] };
  };
}

/** A map-style dataset whose samples are `transform(dataset.get(i))`. */
export class MappedDataset<T, U> implements MapDataset<U> {
  constructor(
    readonly dataset: MapDataset<T>,
    readonly transform: (sample: T, index: number) => U,
  ) {}

  get length(): number {
    return this.dataset.length;
  }

  get(index: number): MaybePromise<U> {
    const sample = this.dataset.get(index);
    return sample instanceof Promise ? sample.then((s) => this.transform(s, index)) : this.transform(sample, index);
  }
}
