// A dataset whose samples are views into one large array (rebuilt by DataLoader workers from this module).
import type { MapDataset } from '../../../src/data/dataset.js';

/** `n` samples `{ data, shape: [4] }`, each a 4-float view of one shared 1 MB array (values 10·i + j). */
export function createViewDataset(n: number): MapDataset<{ data: Float32Array; shape: number[] }> {
  const all = new Float32Array(256 * 1024);
  for (let i = 0; i < n * 4; i++) all[i] = 10 * Math.floor(i / 4) + (i % 4);
  return { length: n, get: (i) => ({ data: all.subarray(4 * i, 4 * i + 4), shape: [4] }) };
}
