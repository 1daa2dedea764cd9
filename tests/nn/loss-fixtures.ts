// Runs every loss case of tests/fixtures/nn_layers/losses.json: value and d input of sum(loss * r) match PyTorch.
import assert from 'node:assert/strict';
import { tf } from '../../src/runtime/tf.js';
import type { Tensor } from '../../src/runtime/tf.js';
import { valueAndGrads } from '../../src/runtime/autograd.js';
import * as F from '../../src/nn/functional/index.js';
import { assertClose, loadCases, toTensor } from './fixture-helpers.js';
import type { FixtureTensor } from './fixture-helpers.js';

/** One loss case written by scripts/fixtures/nn_layers.py (`fn` is PyTorch's name). */
export interface LossCase {
  name: string;
  fn: string;
  options: Record<string, unknown>;
  tensors: Record<string, FixtureTensor>;
  input: FixtureTensor;
  target: FixtureTensor;
  r: FixtureTensor;
  output: FixtureTensor;
  grad_input: FixtureTensor;
}

type Loss = (input: Tensor, target: Tensor, options: Record<string, unknown>) => Tensor;
const LOSSES: Record<string, Loss> = {
  cross_entropy: F.crossEntropy,
  nll_loss: F.nllLoss,
  mse_loss: F.mseLoss,
  l1_loss: F.l1Loss,
  smooth_l1_loss: F.smoothL1Loss,
  binary_cross_entropy: F.binaryCrossEntropy,
  binary_cross_entropy_with_logits: F.binaryCrossEntropyWithLogits,
  kl_div: F.klDiv,
};

/** The loss cases of the fixture file. */
export const lossCases = loadCases<LossCase>('losses');

/** Compute one case's loss and input gradient and compare them with PyTorch's. */
export function checkLossCase(c: LossCase, tol = 1e-5): void {
  const loss = LOSSES[c.fn];
  assert.ok(loss, `no loss for ${c.fn}`);
  const extra = Object.fromEntries(Object.entries(c.tensors).map(([k, v]) => [k, toTensor(v)]));
  const raw = toTensor(c.input);
  const x = tf.variable(raw);
  const target = toTensor(c.target);
  const r = toTensor(c.r);
  let out: Tensor | undefined;
  const { value, grads } = valueAndGrads(() => {
    out = tf.keep(loss(x, target, { ...c.options, ...extra }));
    return tf.sum(tf.mul(out, r));
  }, [x]);
  assertClose(out as Tensor, c.output, `${c.name} loss`, tol);
  assertClose(grads[0] ?? tf.zerosLike(x), c.grad_input, `${c.name} d input`, tol);
  [value, out, raw, x, target, r, ...grads, ...Object.values(extra)].forEach((t) => t?.dispose());
}
