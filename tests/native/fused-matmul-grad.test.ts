import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
import type { Tensor } from '../../src/runtime/tf.js';
import { nativeSuite, randData, rng } from './helpers.js';

type Flags = [boolean, boolean];

function operands(r: () => number, [ta, tb]: Flags): { a: Tensor; b: Tensor; bias: Tensor } {
  const [m, k, n] = [5, 7, 3];
  const a = tf.tensor(randData(r, [m * k]), ta ? [k, m] : [m, k]);
  const b = tf.tensor(randData(r, [k * n]), tb ? [n, k] : [k, n]);
  return { a, b, bias: tf.tensor(randData(r, [n]), [n]) };
}

const direct = (a: Tensor, b: Tensor, bias: Tensor, [ta, tb]: Flags): Tensor =>
  tf.engine().runKernel<Tensor>('_FusedMatMul', { a, b, bias }, { transposeA: ta, transposeB: tb, activation: 'linear' });

describe('the _FusedMatMul kernel gradient registered by the native backend', nativeSuite, () => {
  it('equals tf.fused.matMul\'s gradient bit for bit, for every transpose combination', async () => {
    await tf.setBackend('native');
    try {
      const r = rng(3);
      for (const flags of [[false, false], [false, true], [true, false], [true, true]] as Flags[]) {
        tf.tidy(() => {
          const { a, b, bias } = operands(r, flags);
          const w = tf.tensor(randData(r, [15]), [5, 3]);
          const loss = (f: (a: Tensor, b: Tensor, bias: Tensor) => Tensor) => (x: Tensor, y: Tensor, z: Tensor) => tf.sum(tf.mul(f(x, y, z), w));
          const ref = tf.grads(loss((x, y, z) => tf.fused.matMul({ a: x, b: y, bias: z, transposeA: flags[0], transposeB: flags[1] })))([a, b, bias]);
          const got = tf.grads(loss((x, y, z) => direct(x, y, z, flags)))([a, b, bias]);
          got.forEach((g, i) => assert.deepEqual(Array.from(g.dataSync()), Array.from(ref[i]!.dataSync()), `${JSON.stringify(flags)} grad ${i}`));
        });
      }
    } finally {
      await tf.setBackend('cpu');
    }
  });

  it('computes only the gradients asked for (no product for an input that is not differentiated)', async () => {
    await tf.setBackend('native');
    try {
      const r = rng(4);
      const { a, b, bias } = operands(r, [false, true]);
      const kernels = async (f: () => Tensor[]) => (await tf.profile(() => tf.tidy(f))).kernels.filter((k) => k.name === 'BatchMatMul').length;
      const onlyB = await kernels(() => tf.grads((y: Tensor, z: Tensor) => tf.sum(direct(a, y, z, [false, true])))([b, bias]));
      const viaFused = await kernels(() =>
        tf.grads((y: Tensor, z: Tensor) => tf.sum(tf.fused.matMul({ a, b: y, bias: z, transposeB: true })))([b, bias]),
      );
      assert.equal(onlyB, 1);
      assert.equal(viaFused, 2);
      tf.dispose([a, b, bias]);
    } finally {
      await tf.setBackend('cpu');
    }
  });
});
