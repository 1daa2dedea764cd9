import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
import type { Tensor } from '../../src/runtime/tf.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { valueAndGrads } from '../../src/runtime/autograd.js';
import { Module } from '../../src/nn/module.js';
import { Linear } from '../../src/nn/linear.js';
import { Conv2d } from '../../src/nn/conv.js';
import { MaxPool2d } from '../../src/nn/pooling.js';
import { BatchNorm1d, BatchNorm2d, LayerNorm } from '../../src/nn/normalization.js';
import { Dropout } from '../../src/nn/dropout.js';
import { Embedding } from '../../src/nn/embedding.js';
import { GELU, ReLU } from '../../src/nn/activation.js';
import { Flatten, Identity } from '../../src/nn/shape.js';
import { ModuleDict, ModuleList, Sequential } from '../../src/nn/container.js';
import * as F from '../../src/nn/functional/index.js';
import { LightningError, MisconfigurationError } from '../../src/errors.js';

class Heads extends Module<[Tensor], Tensor> {
  readonly trunk = new Sequential(new Linear(4, 6), new ReLU(), new BatchNorm1d(6));
  readonly blocks = new ModuleList([new Linear(6, 6), new Linear(6, 6, { bias: false })]);
  readonly heads = new ModuleDict({ cls: new Linear(6, 3), reg: new Linear(6, 1) });
  override forward(x: Tensor): Tensor {
    let h = this.trunk.call(x);
    for (const b of this.blocks) h = (b).call(h);
    return this.heads.get('cls').call(h);
  }
}

describe('containers and shape/regularisation layers', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('Sequential, ModuleList and ModuleDict give PyTorch state-dict names', () => {
    const m = new Heads();
    assert.deepEqual(Object.keys(m.stateDict()), [
      'trunk.0.weight', 'trunk.0.bias',
      'trunk.2.weight', 'trunk.2.bias', 'trunk.2.running_mean', 'trunk.2.running_var', 'trunk.2.num_batches_tracked',
      'blocks.0.weight', 'blocks.0.bias', 'blocks.1.weight',
      'heads.cls.weight', 'heads.cls.bias', 'heads.reg.weight', 'heads.reg.bias',
    ]);
    assert.equal(m.trunk.length, 3);
    assert.ok(m.trunk.at(-1) instanceof BatchNorm1d);
    assert.deepEqual(m.heads.keys(), ['cls', 'reg']);
    assert.throws(() => m.heads.get('box'), /Available keys: cls, reg/);
    const extra = new Linear(6, 2);
    assert.throws(() => m.heads.set('a.b', extra), LightningError);
    assert.throws(() => m.heads.set('cls', extra), /already registered/);
    extra.dispose();
    assert.throws(() => m.blocks.at(5), /out of range/);
    const x = tf.randomNormal([5, 4]);
    const y = m.call(x);
    assert.deepEqual(y.shape, [5, 3]);
    tf.dispose([x, y]);
    m.dispose();
  });

  it('Dropout scales kept values by 1/(1-p) in training and is the identity in eval', () => {
    const drop = new Dropout(0.25);
    const x = tf.ones([200, 50]);
    const y = drop.call(x);
    const values = Array.from(y.dataSync());
    assert.ok(values.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6));
    const zeroFraction = values.filter((v) => v === 0).length / values.length;
    assert.ok(Math.abs(zeroFraction - 0.25) < 0.02, `about 25% zeros, got ${zeroFraction}`);
    drop.eval();
    assert.equal(drop.call(x), x);
    assert.throws(() => new Dropout(1.5), MisconfigurationError);
    tf.dispose([x, y]);
  });

  it('BatchNorm uses batch statistics in training (updating running stats) and running stats in eval', () => {
    const bn = new BatchNorm2d(2);
    const x = tf.add(tf.mul(tf.randomNormal([8, 2, 3, 3]), 3), 5);
    const y = bn.call(x);
    const { mean, variance } = tf.moments(y, [0, 2, 3]);
    assert.ok(Array.from(mean.dataSync()).every((v) => Math.abs(v) < 1e-4));
    assert.ok(Array.from(variance.dataSync()).every((v) => Math.abs(v - 1) < 1e-3));
    assert.equal(bn.numBatchesTracked!.value.dataSync()[0], 1);
    const rm = Array.from(bn.runningMean!.value.dataSync());
    assert.ok(rm.every((v) => v > 0.3 && v < 0.7), `running mean ≈ 0.1·5, got ${rm.join(', ')}`);
    bn.eval();
    const z = bn.call(x);
    const expected = tf.tidy(() =>
      tf.div(tf.sub(x, tf.reshape(bn.runningMean!.value, [2, 1, 1])), tf.sqrt(tf.add(tf.reshape(bn.runningVar!.value, [2, 1, 1]), 1e-5))),
    );
    assert.ok((tf.max(tf.abs(tf.sub(z, expected))).dataSync()[0] as number) < 1e-5);
    assert.equal(bn.numBatchesTracked!.value.dataSync()[0], 1, 'eval does not count batches');
    assert.throws(() => new BatchNorm1d(3).call(tf.ones([1, 3])), /1 value per channel/);
    assert.throws(() => bn.call(tf.ones([2, 3, 4, 4])), /expects input of rank 4 with 2 channels/);
    tf.dispose([x, y, mean, variance, z, expected]);
    bn.dispose();
  });

  it('Flatten, Identity, GELU and layer input checks', () => {
    const x = tf.zeros([2, 3, 4, 5]);
    assert.deepEqual(new Flatten().call(x).shape, [2, 60]);
    assert.deepEqual(new Flatten({ startDim: 1, endDim: 2 }).call(x).shape, [2, 12, 5]);
    assert.deepEqual(new Flatten({ startDim: -2 }).call(x).shape, [2, 3, 20]);
    assert.throws(() => new Flatten({ startDim: 3, endDim: 1 }).call(x), /comes after/);
    assert.equal(new Identity().call(x), x);
    assert.throws(() => new GELU({ approximate: 'fast' as 'tanh' }), MisconfigurationError);
    assert.throws(() => new Conv2d(3, 4, 3).call(tf.zeros([1, 5, 5, 3])), /channels-first/);
    assert.throws(() => new Conv2d(3, 4, 3, { groups: 2 }), /groups=2/);
    assert.throws(() => new Conv2d(3, 4, 3, { stride: 2, padding: 'same' }), /not supported for strided/);
    assert.throws(() => new LayerNorm(4).call(tf.zeros([2, 5])), /expects input ending/);
    assert.throws(() => new Embedding(5, 2, { paddingIdx: 5 }), /paddingIdx/);
    assert.throws(() => new Linear(3, 2).call(tf.zeros([2, 4])), /last dimension is 4/);
  });

  it('numTensors stays flat across repeated forward + backward of every layer kind', () => {
    const model = new Sequential(
      new Conv2d(2, 4, 3, { padding: 1 }),
      new BatchNorm2d(4),
      new GELU(),
      new MaxPool2d(2),
      new Dropout(0.1),
      new Flatten(),
      new LayerNorm(16),
      new Linear(16, 3),
    );
    const emb = new Embedding(10, 4, { paddingIdx: 0 });
    const x = tf.randomNormal([3, 2, 4, 4]);
    const ids = tf.tensor2d([[1, 0], [3, 9], [2, 2]], [3, 2], 'int32');
    const y = tf.tensor1d([0, 2, 1], 'int32');
    const vars = [...model.parameters(), ...emb.parameters()].map((p) => p.value);
    const step = (): void => {
      const { value, grads } = valueAndGrads(() => {
        const logits = tf.add(model.call(x), tf.sum(tf.sum(emb.call(ids), -1), -1, true));
        return F.crossEntropy(logits, y, { labelSmoothing: 0.1 });
      }, vars);
      tf.dispose([value, ...grads.filter((g): g is Tensor => g !== null)]);
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([x, ids, y]);
    model.dispose();
    emb.dispose();
  });
});
