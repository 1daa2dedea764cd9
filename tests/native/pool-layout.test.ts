import { describe, it } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
type Tensor4D = tf.Tensor4D;
import { compareWithCpu, str, nativeSuite, randData, randInt, rng } from './helpers.js';

describe('native pooling kernels against the cpu backend', nativeSuite, () => {
  it('maxPool and avgPool with random windows, strides and paddings (forward and gradients)', async () => {
    const r = rng(31);
    for (let i = 0; i < 16; i++) {
      const shape = [randInt(r, 1, 3), randInt(r, 3, 12), randInt(r, 3, 12), randInt(r, 1, 6)];
      const f: [number, number] = [randInt(r, 1, 3), randInt(r, 1, 3)];
      const s: [number, number] = [randInt(r, 1, 3), randInt(r, 1, 3)];
      const pad = i % 2 === 0 ? 'valid' : 'same';
      const isMax = i % 4 < 2;
      // avgPool's gradient on TF.js scales by 1/(window size) even where 'same' windows are cut by the border;
      // the native kernel reproduces that, so both agree.
      await compareWithCpu(
        `${isMax ? 'max' : 'avg'}Pool ${str(shape)} f${str(f)} s${str(s)} ${pad}`,
        (x) => (isMax ? tf.maxPool(x as Tensor4D, f, s, pad) : tf.avgPool(x as Tensor4D, f, s, pad)),
        [{ shape, data: randData(r, shape) }],
      );
    }
  });

  it("the CNN's 2x2 max pool over negative and tied values", async () => {
    const r = rng(32);
    const data = randData(r, [2, 6, 6, 3]).map((v) => Math.round(v * 2) / 2 - 1);
    await compareWithCpu('maxPool ties', (x) => tf.maxPool(x as Tensor4D, 2, 2, 'valid'), [{ shape: [2, 6, 6, 3], data }]);
  });
});

describe('native layout kernels against the cpu backend', nativeSuite, () => {
  it('transpose with random permutations', async () => {
    const r = rng(41);
    for (let i = 0; i < 10; i++) {
      const rank = randInt(r, 2, 5);
      const shape = Array.from({ length: rank }, () => randInt(r, 1, 6));
      const perm = [...Array(rank).keys()].sort(() => r() - 0.5);
      await compareWithCpu(`transpose ${str(shape)} ${str(perm)}`, (x) => tf.transpose(x, perm), [{ shape, data: randData(r, shape) }]);
    }
  });

  it('tiled transposes of large last-two-dims blocks (NHWC ↔ NCHW, matrix transposes)', async () => {
    const r = rng(46);
    const cases: Array<[number[], number[]]> = [[[3, 40, 50], [0, 2, 1]], [[2, 9, 10, 33], [0, 3, 1, 2]], [[2, 33, 9, 10], [0, 2, 3, 1]], [[70, 45], [1, 0]]];
    for (const [shape, perm] of cases) {
      await compareWithCpu(`transpose ${str(shape)} ${str(perm)}`, (x) => tf.transpose(x, perm), [{ shape, data: randData(r, shape) }]);
    }
  });

  it('slice, split and concat along each axis (and their gradients)', async () => {
    const r = rng(42);
    const shape = [4, 5, 6];
    for (let axis = 0; axis < 3; axis++) {
      const begin = shape.map((d) => randInt(r, 0, d - 1));
      const size = shape.map((d, i) => randInt(r, 1, d - (begin[i] as number)));
      await compareWithCpu(`slice ${str(begin)} ${str(size)}`, (x) => tf.slice(x, begin, size), [{ shape, data: randData(r, shape) }]);
      await compareWithCpu(`split axis ${axis}`, (x) => tf.split(x, [1, (shape[axis] as number) - 1], axis), [{ shape, data: randData(r, shape) }]);
      const other = [...shape];
      other[axis] = 3;
      await compareWithCpu(`concat axis ${axis}`, (a, b) => tf.concat([a, b, a], axis), [
        { shape, data: randData(r, shape) },
        { shape: other, data: randData(r, other) },
      ]);
    }
  });

  it('pad with constants', async () => {
    const r = rng(43);
    await compareWithCpu('pad', (x) => tf.pad(x, [[1, 0], [0, 2], [2, 1]], 0.5), [{ shape: [2, 3, 4], data: randData(r, [2, 3, 4]) }]);
  });

  it('gather (embedding lookup) and its gradient through unsortedSegmentSum', async () => {
    const r = rng(44);
    const ids = Int32Array.from({ length: 24 }, () => randInt(r, 0, 9));
    await compareWithCpu('gather axis 0', (w, i) => tf.gather(w, i, 0), [
      { shape: [10, 8], data: randData(r, [10, 8]) },
      { shape: [4, 6], data: ids, grad: false },
    ]);
    await compareWithCpu('gather axis 1', (w, i) => tf.gather(w, i, 1), [
      { shape: [3, 10, 5], data: randData(r, [3, 10, 5]) },
      { shape: [7], data: ids.subarray(0, 7), grad: false },
    ]);
    const seg = Int32Array.from({ length: 12 }, () => randInt(r, -1, 5));
    await compareWithCpu('unsortedSegmentSum (ids out of range dropped)', (x, s) => tf.unsortedSegmentSum(x, s as tf.Tensor1D, 5), [
      { shape: [12, 4], data: randData(r, [12, 4]) },
      { shape: [12], data: seg, grad: false },
    ], { grads: false });
  });

  it('batchNorm with per-channel and scalar statistics (forward and gradients)', async () => {
    const r = rng(45);
    const c = 6;
    const variance = randData(r, [c]).map((v) => Math.abs(v) + 0.2);
    await compareWithCpu('batchNorm', (x, m, v, o, s) => tf.batchNorm(x, m, v, o, s, 1e-3), [
      { shape: [2, 3, 4, c], data: randData(r, [2, 3, 4, c]) },
      { shape: [c], data: randData(r, [c]) },
      { shape: [c], data: variance },
      { shape: [c], data: randData(r, [c]) },
      { shape: [c], data: randData(r, [c]) },
    ]);
  });
});
