// Dataset factories that DataLoader workers rebuild from this module (tests and bench/dataloader.ts).
import type { MapDataset } from '../../../src/data/dataset.js';

/** Options of `createSlowDataset`. */
export interface SlowDatasetOptions {
  /** Number of samples. */
  n: number;
  /** Features per sample. Default: 64. */
  features?: number;
  /** Iterations of a deterministic CPU-bound "transform" per sample. Default: 0. */
  work?: number;
}

/** `[features (float32), label]` samples whose values depend only on the index; `work` makes each get() CPU-heavy. */
export function createSlowDataset(options: SlowDatasetOptions): MapDataset<[Float32Array, number]> {
  const f = options.features ?? 64;
  const work = options.work ?? 0;
  return {
    length: options.n,
    get(i: number): [Float32Array, number] {
      const x = new Float32Array(f);
      let acc = i + 1;
      for (let k = 0; k < work; k++) acc = (acc * 1103515245 + 12345) % 2147483648;
      for (let j = 0; j < f; j++) x[j] = Math.sin(i * 0.1 + j) + (acc % 7) * 0;
      return [x, i % 10];
    },
  };
}

/** A dataset whose `get` throws at `failAt`. */
export function createFailingDataset(n: number, failAt: number): MapDataset<number> {
  return {
    length: n,
    get(i: number): number {
      if (i === failAt) throw new Error(`sample ${i} is broken`);
      return i;
    },
  };
}

/** A dataset whose samples use `Math.random` (seeded per worker by the DataLoader). */
export function createRandomDataset(n: number): MapDataset<number> {
  return { length: n, get: () => Math.random() };
}
