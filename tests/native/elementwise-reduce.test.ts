import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
import type { Tensor } from '../../src/runtime/tf.js';
import { compareWithCpu, str, nativeSuite, randData, randInt, rng } from './helpers.js';

/** A random shape of rank 1-5 and a shape that broadcasts against it (some dims 1, some leading dims dropped). */
function broadcastPair(r: () => number): [number[], number[]] {
  const rank = randInt(r, 1, 5);
  const full = Array.from({ length: rank }, () => randInt(r, 1, 6));
  const drop = randInt(r, 0, rank - 1);
  const other = full.slice(drop).map((d) => (r() < 0.4 ? 1 : d));
  return r() < 0.5 ? [full, other] : [other, full];
}

const BINARY: Array<[string, (a: Tensor, b: Tensor) => Tensor]> = [
  ['add', tf.add],
  ['sub', tf.sub],
  ['mul', tf.mul],
  ['div', tf.div],
  ['maximum', tf.maximum],
  ['minimum', tf.minimum],
  ['squaredDifference', tf.squaredDifference],
];

describe('native elementwise kernels against the cpu backend', nativeSuite, () => {
  it('binary ops with random general broadcasts (forward and gradients)', async () => {
    const r = rng(11);
    for (let i = 0; i < 28; i++) {
      const [name, op] = BINARY[i % BINARY.length] as [string, (a: Tensor, b: Tensor) => Tensor];
      const [sa, sb] = broadcastPair(r);
      const b = randData(r, sb);
      // Keep divisors away from 0 so the gradients are well scaled.
      if (name === 'div') b.forEach((v, j) => (b[j] = v < 0 ? v - 0.5 : v + 0.5));
      // TF.js's maximum/minimum/squaredDifference gradients do not reduce over broadcast dims (on any backend):
      // forward only then, plus a same-shape case with gradients.
      const sameShape = JSON.stringify(sa) === JSON.stringify(sb);
      const grads = sameShape || !['maximum', 'minimum', 'squaredDifference'].includes(name);
      await compareWithCpu(`${name} ${JSON.stringify(sa)} ⊕ ${JSON.stringify(sb)}`, op, [
        { shape: sa, data: randData(r, sa) },
        { shape: sb, data: b },
      ], { grads });
      if (!grads) await compareWithCpu(`${name} same shape`, op, [{ shape: sa, data: randData(r, sa) }, { shape: sa, data: randData(r, sa) }]);
    }
  });

  it('a bias add over NHWC activations and scalar operands', async () => {
    const r = rng(12);
    await compareWithCpu('bias add', (x, b) => tf.add(x, b), [
      { shape: [4, 9, 9, 16], data: randData(r, [4, 9, 9, 16]) },
      { shape: [16], data: randData(r, [16]) },
    ]);
    await compareWithCpu('scalar ops', (x) => tf.div(tf.sub(tf.mul(x, 3), 1), 7), [{ shape: [300], data: randData(r, [300]) }]);
  });

  it('unary ops (forward and gradients)', async () => {
    const r = rng(13);
    const positive = (a: Float32Array): Float32Array => a.map((v) => Math.abs(v) + 0.1);
    const ops: Array<[string, (x: Tensor) => Tensor, boolean]> = [
      ['relu', tf.relu, false],
      ['relu6', (x) => tf.relu6(tf.mul(x, 8)), false],
      ['step', (x) => tf.step(x, 0.3), false],
      ['sqrt', tf.sqrt, true],
      ['square', tf.square, false],
      ['exp', tf.exp, false],
      ['log', tf.log, true],
      ['neg', tf.neg, false],
      ['abs', tf.abs, false],
      ['rsqrt', tf.rsqrt, true],
      ['sigmoid', tf.sigmoid, false],
      ['tanh', tf.tanh, false],
      ['leakyRelu', (x) => tf.leakyRelu(x, 0.1), false],
      ['elu', tf.elu, false],
      ['softplus', tf.softplus, false],
      ['reciprocal', tf.reciprocal, true],
      ['log1p', tf.log1p, true],
      ['expm1', tf.expm1, false],
      ['sin', tf.sin, false],
      ['cos', tf.cos, false],
      ['floor', tf.floor, false],
      ['ceil', tf.ceil, false],
      ['sign', tf.sign, false],
      ['erf', tf.erf, false],
      ['clipByValue', (x) => tf.clipByValue(x, -0.4, 0.6), false],
    ];
    for (const [name, op, needsPositive] of ops) {
      const shape = [randInt(r, 1, 5), randInt(r, 1, 40)];
      const data = randData(r, shape, 3);
      // erf: TF.js's cpu kernel uses a polynomial approximation (error ~1e-7), the addon libm's erf.
      await compareWithCpu(name, op, [{ shape, data: needsPositive ? positive(data) : data }], { rtol: name === 'erf' ? 1e-6 : 1e-5 });
    }
  });

  it('the fused ReLU gradient equals dy·step(x), and second derivatives still work', async () => {
    const r = rng(14);
    const shape = [3, 50];
    const x = randData(r, shape);
    x[0] = 0;
    await compareWithCpu('relu chain', (t) => tf.mul(tf.relu(t), tf.relu(tf.neg(t))), [{ shape, data: x }]);
    await compareWithCpu('relu6 grad', (t) => tf.relu6(tf.mul(t, 8)), [{ shape, data: x }]);
    await compareWithCpu('second derivative through relu', (t) => tf.grad((u: Tensor) => tf.sum(tf.mul(tf.relu(u), u)))(t), [{ shape, data: x }]);
  });
});

describe('native reductions and softmax against the cpu backend', nativeSuite, () => {
  it('sum, mean, max, min and prod over random axes, with and without keepDims (and gradients)', async () => {
    const r = rng(21);
    const ops: Array<[string, (x: Tensor, axes: number[], keep: boolean) => Tensor]> = [
      ['sum', (x, a, k) => tf.sum(x, a, k)],
      ['mean', (x, a, k) => tf.mean(x, a, k)],
      ['max', (x, a, k) => tf.max(x, a, k)],
      ['min', (x, a, k) => tf.min(x, a, k)],
      ['prod', (x, a, k) => tf.prod(x, a, k)],
    ];
    for (let i = 0; i < 30; i++) {
      const [name, op] = ops[i % ops.length] as [string, (x: Tensor, axes: number[], keep: boolean) => Tensor];
      const rank = randInt(r, 1, 5);
      const shape = Array.from({ length: rank }, () => randInt(r, 1, name === 'prod' ? 4 : 7));
      const axes = [...Array(rank).keys()].filter(() => r() < 0.5);
      if (axes.length === 0) axes.push(randInt(r, 0, rank - 1));
      const keep = r() < 0.5;
      // prod's gradient needs TF.js's chained-op API, which lightning-ts does not load: forward only.
      await compareWithCpu(`${name} ${JSON.stringify(shape)} axes ${str(axes)} keep ${keep}`, (x) => op(x, axes, keep), [
        { shape, data: randData(r, shape, name === 'prod' ? 1.5 : 1) },
      ], { grads: name !== 'prod' });
    }
  });

  it('bias-gradient shaped sums ([R, K] over the leading axes) of large tensors', async () => {
    const r = rng(22);
    await compareWithCpu('sum [64, 13, 13, 64] over 0,1,2', (x) => tf.sum(x, [0, 1, 2]), [{ shape: [64, 13, 13, 64], data: randData(r, [64, 13, 13, 64]) }]);
  });

  it('argMax and argMin along each axis', async () => {
    const r = rng(23);
    const shape = [4, 5, 6];
    for (let axis = 0; axis < 3; axis++) {
      await compareWithCpu(`argMax/argMin axis ${axis}`, (x) => [tf.argMax(x, axis), tf.argMin(x, axis)], [{ shape, data: randData(r, shape) }], { grads: false });
    }
  });

  it('softmax and logSoftmax over the last axis (forward and gradients)', async () => {
    const r = rng(24);
    for (const shape of [[7], [5, 10], [2, 3, 33]]) {
      await compareWithCpu(`softmax ${str(shape)}`, (x) => tf.softmax(x), [{ shape, data: randData(r, shape, 5) }]);
      await compareWithCpu(`logSoftmax ${str(shape)}`, (x) => tf.logSoftmax(x), [{ shape, data: randData(r, shape, 5) }]);
    }
  });

  it('reports a reduction of non-float data through the cpu kernel', async () => {
    await tf.setBackend('native');
    const s = tf.tidy(() => tf.sum(tf.tensor([1, 2, 3], [3], 'int32')).dataSync()[0]);
    await tf.setBackend('cpu');
    assert.equal(s, 6);
  });
});
