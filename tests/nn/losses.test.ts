import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
import { selectBackend } from '../../src/runtime/backend.js';
import * as F from '../../src/nn/functional/index.js';
import { MisconfigurationError, LightningError } from '../../src/errors.js';
import { checkLossCase, lossCases } from './loss-fixtures.js';

describe('nn.functional losses against PyTorch 1.13 fixtures (cpu)', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  for (const c of lossCases) {
    it(`${c.name}: value and input gradient match PyTorch`, () => {
      const before = tf.memory().numTensors;
      checkLossCase(c);
      assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    });
  }

  it('bce with logits stays finite for huge logits, and the gradient at 0 is sigmoid(0) − t', () => {
    const x = tf.variable(tf.tensor1d([1000, -1000, 0]));
    const t = tf.tensor1d([0, 1, 1]);
    const loss = F.binaryCrossEntropyWithLogits(x, t, { reduction: 'none' });
    assert.deepEqual(Array.from(loss.dataSync()), [1000, 1000, Math.fround(Math.log(2))]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(F.binaryCrossEntropyWithLogits(v, t, { reduction: 'sum' })))(x);
    assert.ok(Math.abs((g.dataSync()[2] as number) + 0.5) < 1e-6);
    tf.dispose([x, t, loss, g]);
  });

  it('rejects bad options and shapes with hints', () => {
    const x = tf.zeros([4, 3]);
    assert.throws(() => F.crossEntropy(x, tf.tensor1d([0, 1], 'int32')), /targets must have shape \[4\]/);
    assert.throws(() => F.crossEntropy(x, tf.tensor1d([0, 1, 2, 0], 'int32'), { labelSmoothing: 1.5 }), MisconfigurationError);
    assert.throws(() => F.mseLoss(x, tf.zeros([4, 3]), { reduction: 'avg' as 'mean' }), /reduction must be one of 'mean', 'sum', 'none'/);
    assert.throws(() => F.mseLoss(x, tf.zeros([4])), LightningError);
    assert.throws(() => F.crossEntropy(x, tf.tensor1d([0, 1, 2, 0], 'int32'), { weight: tf.ones([2]) }), /weight must have shape \[3\]/);
    assert.throws(() => F.softmax(x, 2), /dim=2 is out of range/);
    x.dispose();
  });

  it('all-ignored targets give NaN for mean (0/0, as PyTorch) and 0 for sum', () => {
    const x = tf.randomNormal([2, 3]);
    const t = tf.tensor1d([-100, -100], 'int32');
    assert.ok(Number.isNaN(F.crossEntropy(x, t).dataSync()[0]));
    assert.equal(F.crossEntropy(x, t, { reduction: 'sum' }).dataSync()[0], 0);
    tf.dispose([x, t]);
  });
});
