import { describe, it } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
type Tensor4D = tf.Tensor4D;
import { compareWithCpu, str, nativeSuite, randData, randInt, rng } from './helpers.js';

describe('native matMul kernels against the cpu backend', nativeSuite, () => {
  it('BatchMatMul with random shapes and every transpose combination (forward and gradients)', async () => {
    const r = rng(1);
    for (let i = 0; i < 12; i++) {
      const [m, n, k] = [randInt(r, 1, 40), randInt(r, 1, 40), randInt(r, 1, 70)];
      const ta = i % 2 === 1;
      const tb = Math.floor(i / 2) % 2 === 1;
      const aShape = ta ? [k, m] : [m, k];
      const bShape = tb ? [n, k] : [k, n];
      await compareWithCpu(
        `matMul ${str(aShape)}·${str(bShape)} ta=${ta} tb=${tb}`,
        (a, b) => tf.matMul(a, b, ta, tb),
        [{ shape: aShape, data: randData(r, aShape) }, { shape: bShape, data: randData(r, bShape) }],
      );
    }
  });

  it('batched and broadcast-batch products', async () => {
    const r = rng(2);
    const cases: Array<[number[], number[]]> = [
      [[3, 17, 33], [3, 33, 9]],
      [[2, 3, 5, 7], [7, 4]],
      [[5, 6], [2, 3, 6, 4]],
      [[4, 1, 8], [4, 8, 1]],
    ];
    for (const [aShape, bShape] of cases) {
      // TF.js's gradient does not reduce broadcast batch dims; ours (runtime/patches) does, on both backends.
      await compareWithCpu(`matMul ${str(aShape)}·${str(bShape)}`, (a, b) => tf.matMul(a, b), [
        { shape: aShape, data: randData(r, aShape) },
        { shape: bShape, data: randData(r, bShape) },
      ]);
    }
  });

  it('mutually broadcast batches ([2,1]×[1,3]) equal the product of explicitly tiled operands', async () => {
    // The cpu kernel itself gets this case wrong (it returns 60 of the 120 values), so the reference tiles first.
    const r = rng(8);
    const a = randData(r, [2, 1, 5, 7]);
    const b = randData(r, [1, 3, 7, 4]);
    await compareWithCpu(
      'matMul broadcast vs tiled',
      (x, y) => (tf.getBackend() === 'cpu' ? tf.matMul(tf.tile(x, [1, 3, 1, 1]), tf.tile(y, [2, 1, 1, 1])) : tf.matMul(x, y)),
      [{ shape: [2, 1, 5, 7], data: a }, { shape: [1, 3, 7, 4], data: b }],
      { grads: false },
    );
  });

  it('fused matMul with bias (column, scalar, full) and activations', async () => {
    const r = rng(3);
    const acts = ['linear', 'relu', 'relu6', 'sigmoid', 'leakyrelu', 'elu'] as const;
    for (const [i, activation] of acts.entries()) {
      const [m, n, k] = [randInt(r, 2, 20), randInt(r, 2, 20), randInt(r, 2, 30)];
      const biasShape = [[n], [1], [m, n]][i % 3] as number[];
      await compareWithCpu(
        `fused matMul ${activation} bias ${str(biasShape)}`,
        (a, b, bias) => tf.fused.matMul({ a: a, b: b, bias: bias, activation, transposeB: i % 2 === 0 }),
        [
          { shape: [m, k], data: randData(r, [m, k]) },
          { shape: i % 2 === 0 ? [n, k] : [k, n], data: randData(r, [n, k]) },
          { shape: biasShape, data: randData(r, biasShape) },
        ],
        { grads: activation === 'linear' || activation === 'relu' },
      );
    }
  });
});

describe('native convolution kernels against the cpu backend', nativeSuite, () => {
  it('conv2d with random shapes, strides, paddings and dilations (forward and both gradients)', async () => {
    const r = rng(4);
    const pads = ['valid', 'same', 'explicit'] as const;
    for (let i = 0; i < 12; i++) {
      const [n, h, w, c, oc] = [randInt(r, 1, 3), randInt(r, 5, 14), randInt(r, 5, 14), randInt(r, 1, 6), randInt(r, 1, 8)];
      const [kh, kw] = [randInt(r, 1, 4), randInt(r, 1, 4)];
      const stride: [number, number] = [randInt(r, 1, 3), randInt(r, 1, 3)];
      const dilated = i % 4 === 3;
      const dilation: [number, number] = dilated ? [2, randInt(r, 1, 2)] : [1, 1];
      if (dilated) stride.splice(0, 2, 1, 1);
      const kind = pads[i % 3] as (typeof pads)[number];
      const pad =
        kind === 'explicit'
          ? ([[0, 0], [randInt(r, 0, 2), randInt(r, 0, 2)], [randInt(r, 0, 2), randInt(r, 0, 2)], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]])
          : kind;
      await compareWithCpu(
        `conv2d x[${n},${h},${w},${c}] k${kh}x${kw}→${oc} s${str(stride)} d${str(dilation)} ${JSON.stringify(pad)}`,
        (x, f) => tf.conv2d(x as Tensor4D, f as Tensor4D, stride, pad, 'NHWC', dilation),
        [{ shape: [n, h, w, c], data: randData(r, [n, h, w, c]) }, { shape: [kh, kw, c, oc], data: randData(r, [kh, kw, c, oc]) }],
        { rtol: 2e-5 },
      );
    }
  });

  it("the CNN benchmark's layers (1→32 and 32→64, 3x3)", async () => {
    const r = rng(5);
    await compareWithCpu(
      'conv 28x28x1 → 32 → 64',
      (x, f1, f2) => tf.conv2d(tf.relu(tf.conv2d(x as Tensor4D, f1 as Tensor4D, 1, 'valid')), f2 as Tensor4D, 1, 'valid'),
      [
        { shape: [4, 28, 28, 1], data: randData(r, [4, 28, 28, 1]) },
        { shape: [3, 3, 1, 32], data: randData(r, [3, 3, 1, 32], 0.5) },
        { shape: [3, 3, 32, 64], data: randData(r, [3, 3, 32, 64], 0.1) },
      ],
      { rtol: 2e-5 },
    );
  });

  it('conv2dTranspose (Conv2DBackpropInput as a forward op) and its gradients', async () => {
    const r = rng(6);
    for (let i = 0; i < 5; i++) {
      const [n, h, w, c, oc] = [randInt(r, 1, 2), randInt(r, 3, 7), randInt(r, 3, 7), randInt(r, 1, 5), randInt(r, 1, 5)];
      const s = randInt(r, 1, 2);
      const k = randInt(r, 1, 3);
      const pad = i % 2 === 0 ? 'valid' : 'same';
      const outH = pad === 'same' ? h * s : (h - 1) * s + k;
      const outW = pad === 'same' ? w * s : (w - 1) * s + k;
      await compareWithCpu(
        `conv2dTranspose [${n},${h},${w},${c}] k${k} s${s} ${pad}`,
        (x, f) => tf.conv2dTranspose(x as Tensor4D, f as Tensor4D, [n, outH, outW, oc], s, pad),
        [{ shape: [n, h, w, c], data: randData(r, [n, h, w, c]) }, { shape: [k, k, oc, c], data: randData(r, [k, k, oc, c]) }],
        { rtol: 2e-5 },
      );
    }
  });

  it('depthwiseConv2d with channel multipliers, strides and paddings (forward and gradients)', async () => {
    const r = rng(7);
    for (let i = 0; i < 6; i++) {
      const [n, h, w, c, mult] = [randInt(r, 1, 2), randInt(r, 4, 10), randInt(r, 4, 10), randInt(r, 1, 5), randInt(r, 1, 3)];
      const k = randInt(r, 1, 3);
      const s = randInt(r, 1, 2);
      const pad = i % 2 === 0 ? 'valid' : 'same';
      await compareWithCpu(
        `depthwiseConv2d [${n},${h},${w},${c}] k${k} x${mult} s${s} ${pad}`,
        (x, f) => tf.depthwiseConv2d(x as Tensor4D, f as Tensor4D, s, pad),
        [{ shape: [n, h, w, c], data: randData(r, [n, h, w, c]) }, { shape: [k, k, c, mult], data: randData(r, [k, k, c, mult]) }],
        { rtol: 2e-5 },
      );
    }
  });
});
