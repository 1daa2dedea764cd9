import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
import type { Tensor } from '../../src/runtime/tf.js';
import { selectBackend } from '../../src/runtime/backend.js';
import type { ForwardBackward } from './grad-check.js';
import { assertSameResults, forwardBackward, randTensor } from './grad-check.js';

type T4 = tf.Tensor4D;

interface OpCase {
  name: string;
  make: () => Tensor[];
  f: (...xs: Tensor[]) => Tensor;
}

const ids = (): tf.Tensor1D => tf.tensor1d([3, 0, 3, 5, 1, 3], 'int32');

/** Every op the nn layers train with; each runs forward + backward on cpu and on wasm. */
const cases: OpCase[] = [
  { name: 'matMul a·bᵀ', make: () => [randTensor([5, 4], 1), randTensor([3, 4], 2)], f: (a, b) => tf.matMul(a, b, false, true) },
  { name: 'matMul aᵀ·b', make: () => [randTensor([4, 5], 1), randTensor([4, 3], 2)], f: (a, b) => tf.matMul(a, b, true, false) },
  { name: 'batched matMul aᵀ·bᵀ', make: () => [randTensor([2, 4, 5], 1), randTensor([2, 3, 4], 2)], f: (a, b) => tf.matMul(a, b, true, true) },
  { name: 'conv2d valid s1', make: () => [randTensor([2, 6, 6, 3], 3), randTensor([3, 3, 3, 4], 4)], f: (x, w) => tf.conv2d(x as T4, w as T4, 1, 'valid') },
  { name: 'conv2d same s2', make: () => [randTensor([2, 7, 6, 2], 3), randTensor([3, 3, 2, 5], 4)], f: (x, w) => tf.conv2d(x as T4, w as T4, 2, 'same') },
  { name: 'conv2d explicit pad s2', make: () => [randTensor([1, 8, 7, 3], 3), randTensor([2, 3, 3, 2], 4)], f: (x, w) => tf.conv2d(x as T4, w as T4, [2, 1], [[0, 0], [1, 2], [0, 1], [0, 0]]) },
  { name: 'conv2d dilation 2', make: () => [randTensor([2, 9, 9, 2], 3), randTensor([3, 3, 2, 3], 4)], f: (x, w) => tf.conv2d(x as T4, w as T4, 1, 'same', 'NHWC', 2) },
  { name: 'conv2dTranspose s2 same', make: () => [randTensor([2, 4, 3, 2], 5), randTensor([3, 3, 3, 2], 6)], f: (x, w) => tf.conv2dTranspose(x as T4, w as T4, [2, 8, 6, 3], 2, 'same') },
  { name: 'conv1d s1 valid', make: () => [randTensor([2, 9, 3], 7), randTensor([3, 3, 4], 8)], f: (x, w) => tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, 1, 'valid') },
  { name: 'conv1d s2 same', make: () => [randTensor([2, 10, 2], 7), randTensor([4, 2, 3], 8)], f: (x, w) => tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, 2, 'same') },
  { name: 'conv1d dilation 2', make: () => [randTensor([2, 11, 2], 7), randTensor([3, 2, 3], 8)], f: (x, w) => tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, 1, 'valid', 'NWC', 2) },
  { name: 'maxPool 2×2 s2', make: () => [randTensor([2, 6, 6, 3], 9)], f: (x) => tf.maxPool(x as T4, 2, 2, 'valid') },
  { name: 'maxPool 3×3 s1 same', make: () => [randTensor([1, 5, 5, 2], 9)], f: (x) => tf.maxPool(x as T4, 3, 1, 'same') },
  { name: 'avgPool 2×2 s2', make: () => [randTensor([2, 6, 6, 3], 10)], f: (x) => tf.avgPool(x as T4, 2, 2, 'valid') },
  { name: 'avgPool 3×3 s1 same', make: () => [randTensor([1, 5, 5, 2], 10)], f: (x) => tf.avgPool(x as T4, 3, 1, 'same') },
  {
    name: 'batchNorm from moments',
    make: () => [randTensor([4, 3, 3, 5], 11), randTensor([5], 12), randTensor([5], 13)],
    f: (x, g, b) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return tf.batchNorm(x, mean, variance, b, g, 1e-5);
    },
  },
  {
    name: 'layerNorm-style moments',
    make: () => [randTensor([3, 4, 6], 14)],
    f: (x) => {
      const { mean, variance } = tf.moments(x, [-1], true);
      return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
    },
  },
  { name: 'softmax', make: () => [randTensor([3, 7], 15)], f: (x) => tf.softmax(x) },
  { name: 'logSoftmax', make: () => [randTensor([3, 7], 16)], f: (x) => tf.logSoftmax(x) },
  { name: 'gather rows (embedding)', make: () => [randTensor([6, 4], 17)], f: (w) => tf.gather(w, ids()) },
  { name: 'gather axis 1', make: () => [randTensor([3, 6, 2], 18)], f: (w) => tf.gather(w, ids(), 1) },
  { name: 'unsortedSegmentSum', make: () => [randTensor([6, 3], 19)], f: (x) => tf.unsortedSegmentSum(x, ids(), 7) },
  {
    name: 'LSTM cell ops (sigmoid, tanh, split, concat, stack, slice)',
    make: () => [randTensor([3, 4], 20), randTensor([4, 20], 21), randTensor([3, 5], 22)],
    f: (x, w, c) => {
      const [i, f, g, o] = tf.split(tf.matMul(x, w), 4, 1) as [Tensor, Tensor, Tensor, Tensor];
      const c1 = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
      const h = tf.mul(tf.sigmoid(o), tf.tanh(c1));
      return tf.concat([tf.stack([h, c1], 1), tf.expandDims(tf.pad(tf.slice(h, [0, 1], [3, 2]), [[0, 0], [0, 3]]), 1)], 1);
    },
  },
  {
    name: 'attention ops (batched matMul, masked softmax, where)',
    make: () => [randTensor([2, 3, 4], 23), randTensor([2, 5, 4], 24), randTensor([2, 5, 4], 25)],
    f: (q, k, v) => {
      const scores = tf.div(tf.matMul(q, k, false, true), 2);
      const mask = tf.tensor3d([[[1, 1, 1, 0, 0]], [[1, 1, 1, 1, 0]]], [2, 1, 5], 'bool');
      const masked = tf.where(tf.broadcastTo(mask, scores.shape), scores, tf.fill(scores.shape, -1e9));
      return tf.matMul(tf.softmax(masked), v);
    },
  },
  { name: 'elementwise (relu, gelu-ish erf, clip)', make: () => [randTensor([4, 5], 26)], f: (x) => tf.add(tf.relu(x), tf.mul(tf.erf(x), tf.clipByValue(x, -0.5, 0.5))) },
];

describe('every training op runs forward + backward on wasm like on cpu', () => {
  const reference = new Map<string, ForwardBackward>();

  before(async () => {
    await selectBackend('cpu');
    for (const c of cases) reference.set(c.name, forwardBackward(c.make, c.f));
    await selectBackend('wasm');
  });

  after(async () => {
    await selectBackend('cpu');
  });

  it('wasm BatchMatMul runs transpose flags through explicit transposes without leaking buffers', () => {
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const a = randTensor([2, 4, 5], 1);
    const b = randTensor([2, 3, 4], 2);
    const before = backend.numDataIds();
    const y = tf.matMul(a, b, true, true);
    assert.equal(backend.numDataIds(), before + 1, 'only the output buffer is new');
    const expected = tf.tidy(() => tf.matMul(tf.transpose(a, [0, 2, 1]), tf.transpose(b, [0, 2, 1])));
    assert.deepEqual(Array.from(y.dataSync()), Array.from(expected.dataSync()));
    tf.dispose([a, b, y, expected]);
  });

  for (const c of cases) {
    it(c.name, () => {
      assert.equal(tf.getBackend(), 'wasm');
      const expected = reference.get(c.name);
      assert.ok(expected !== undefined);
      assertSameResults(forwardBackward(c.make, c.f), expected, 1e-4, c.name);
    });
  }
});
