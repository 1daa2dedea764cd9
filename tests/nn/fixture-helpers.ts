// Loading the PyTorch fixtures in tests/fixtures/nn_layers and comparing tensors with a tolerance.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tf } from '../../src/runtime/tf.js';
import type { Tensor } from '../../src/runtime/tf.js';

/** A tensor as the fixture script stores it. */
export interface FixtureTensor {
  shape: number[];
  dtype: 'float32' | 'int32';
  data: number[];
}

/** Read `tests/fixtures/nn_layers/<name>.json` and return its cases. */
export function loadCases<C>(name: string): C[] {
  const url = new URL(`../fixtures/nn_layers/${name}.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { cases: C[] }).cases;
}

/** A fixture tensor as a TF.js tensor. */
export function toTensor(t: FixtureTensor): Tensor {
  return tf.tensor(t.data, t.shape, t.dtype);
}

/** Assert same shape and |a − e| <= tol·max(1, |e|) element-wise; returns the max abs difference. */
export function assertClose(actual: Tensor, expected: FixtureTensor, label: string, tol = 1e-5): number {
  assert.deepEqual(actual.shape, expected.shape, `${label}: shape`);
  const a = actual.dataSync();
  let maxDiff = 0;
  expected.data.forEach((e, i) => {
    const d = Math.abs((a[i] as number) - e);
    maxDiff = Math.max(maxDiff, d);
    if (!(d <= tol * Math.max(1, Math.abs(e)))) {
      assert.fail(`${label}: element ${i} is ${a[i]}, PyTorch gives ${e} (diff ${d}, tol ${tol})`);
    }
  });
  return maxDiff;
}
