import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
import type { Tensor } from '../../src/runtime/tf.js';
import { crossEntropy, logSoftmax, nllLoss } from '../../src/nn/functional/index.js';
import type { NllLossOptions } from '../../src/nn/functional/index.js';
import { compareWithCpu, nativeSuite, randData, randInt, rng } from './helpers.js';

/** Random int32 targets in [0, classes) with some set to `ignore` (when given). */
function targets(r: () => number, rows: number, classes: number, ignore?: number): Int32Array {
  return Int32Array.from({ length: rows }, () => (ignore !== undefined && r() < 0.25 ? ignore : randInt(r, 0, classes - 1)));
}

describe('the fused NLL kernel on the native backend', nativeSuite, () => {
  it('gives the generic path bit for bit: nllLoss over log-softmax, loss and gradient (mean, sum, ignoreIndex)', async () => {
    const r = rng(5);
    const cases: Array<[number, number, NllLossOptions, number | undefined]> = [
      [64, 10, {}, undefined],
      [7, 3, { reduction: 'sum' }, undefined],
      [33, 5, { ignoreIndex: 2 }, 2],
      [20, 4, {}, -100],
      [12, 6, { reduction: 'sum', ignoreIndex: -1 }, -1],
    ];
    for (const [rows, classes, options, ignore] of cases) {
      const name = `nllLoss [${rows}, ${classes}] ${JSON.stringify(options)}`;
      const fn = (x: Tensor, t: Tensor): Tensor => nllLoss(logSoftmax(x, 1), t, options);
      await compareWithCpu(name, fn, [
        { shape: [rows, classes], data: randData(r, [rows, classes], 4) },
        { shape: [rows], data: targets(r, rows, classes, ignore) },
      ], { rtol: 0 });
    }
  });

  it('serves crossEntropy with class indices too (and leaves weights and label smoothing to the generic path)', async () => {
    const r = rng(9);
    const weight = Float32Array.from([0.5, 2, 1, 1.5]);
    for (const options of [{}, { labelSmoothing: 0.1 }, { weight: true }]) {
      const x = randData(r, [16, 4], 3);
      const t = targets(r, 16, 4);
      const fn = (a: Tensor, b: Tensor): Tensor =>
        crossEntropy(a, b, 'weight' in options ? { weight: tf.tensor(weight) } : options);
      await compareWithCpu(`crossEntropy ${JSON.stringify(options)}`, fn, [{ shape: [16, 4], data: x }, { shape: [16], data: t }], {
        rtol: 0,
        allowFallback: Object.keys(options).length > 0, // the generic path multiplies int32 masks on cpu
      });
    }
  });

  it('matches numbers computed by hand, including an all-ignored batch (NaN, like PyTorch)', async () => {
    await tf.setBackend('native');
    try {
      const logp = tf.tensor2d([[-0.5, -1.5, -2.5], [-3, -0.25, -4]]);
      const profile = await tf.profile(() => nllLoss(logp, tf.tensor1d([0, 1], 'int32')));
      assert.deepEqual(profile.kernelNames.filter((k) => k !== 'Reshape'), ['LightningNllLoss']);
      const loss = tf.tidy(() => nllLoss(logp, tf.tensor1d([2, 1], 'int32')).dataSync()[0]);
      assert.equal(loss, Math.fround(Math.fround(2.5 + 0.25) / 2));
      const grad = tf.tidy(() => tf.grad((lp: Tensor) => nllLoss(lp, tf.tensor1d([2, -100], 'int32')))(logp).arraySync());
      assert.deepEqual(grad, [[0, 0, -1], [0, 0, 0]]);
      const none = tf.tidy(() => nllLoss(logp, tf.tensor1d([-100, -100], 'int32')).dataSync()[0]);
      assert.ok(Number.isNaN(none));
      logp.dispose();
    } finally {
      await tf.setBackend('cpu');
    }
  });
});

describe('the fused log-softmax kernel on the native backend', nativeSuite, () => {
  it('runs as one kernel each way and gives the cpu backend generic path bit for bit, values and gradients', async () => {
    await tf.setBackend('native');
    const x = tf.tensor2d(Float32Array.from({ length: 6 * 5 }, (_, i) => Math.sin(i * 1.7) * (i % 3 === 0 ? 300 : 3)), [6, 5]);
    const profile = await tf.profile(() => tf.grad((t: Tensor) => tf.sum(tf.mul(logSoftmax(t, 1), tf.range(0, 5).reshape([1, 5]))))(x));
    assert.ok(profile.kernelNames.includes('LightningLogSoftmax'), profile.kernelNames.join(','));
    assert.ok(profile.kernelNames.includes('LightningLogSoftmaxGrad'), profile.kernelNames.join(','));
    assert.ok(!profile.kernelNames.includes('Exp'), profile.kernelNames.join(','));
    x.dispose();
    const r = rng(11);
    for (const [rows, cols, scale] of [[64, 10, 4], [3, 7, 200], [1, 1, 1], [9, 2, 0.01]] as const) {
      await compareWithCpu(`logSoftmax [${rows}, ${cols}] x${scale}`, (t: Tensor) => tf.mul(logSoftmax(t, 1), tf.range(1, cols + 1).reshape([1, cols])), [
        { shape: [rows, cols], data: randData(r, [rows, cols], scale) },
      ], { rtol: 0 });
    }
  });
});
