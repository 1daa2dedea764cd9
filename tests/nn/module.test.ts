import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { valueAndGrads } from '../../src/runtime/autograd.js';
import { Module } from '../../src/nn/module.js';
import { Linear } from '../../src/nn/linear.js';
import { Buffer, Parameter } from '../../src/nn/parameter.js';
import { StateDictError } from '../../src/errors.js';

class Net extends Module<[tf.Tensor], tf.Tensor> {
  readonly scale = new Parameter(tf.ones([1]));
  readonly fc1 = new Linear(4, 3);
  readonly fc2 = new Linear(3, 2, { bias: false });
  readonly count = new Buffer(tf.zeros([1]));
  override forward(x: tf.Tensor): tf.Tensor {
    return tf.mul(this.fc2.call(tf.relu(this.fc1.call(x))), this.scale.value);
  }
}

describe('Module', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('registers parameters and buffers from fields in PyTorch order', () => {
    const net = new Net();
    assert.deepEqual(
      net.namedParameters().map(([n]) => n),
      ['scale', 'fc1.weight', 'fc1.bias', 'fc2.weight'],
    );
    assert.deepEqual(Object.keys(net.stateDict()), ['scale', 'count', 'fc1.weight', 'fc1.bias', 'fc2.weight']);
    assert.deepEqual(net.fc1.weight.shape, [3, 4]);
    assert.equal(net.numParameters(), 1 + 12 + 3 + 6);
    net.dispose();
  });

  it('round-trips a state dict and reports missing and unexpected keys', () => {
    const a = new Net();
    const b = new Net();
    b.loadStateDict(a.stateDict());
    const x = tf.randomNormal([5, 4]);
    assert.deepEqual(a.call(x).arraySync(), b.call(x).arraySync());
    const { fc2: _drop, ...rest } = Object.fromEntries(Object.entries(a.stateDict()).map(([k, v]) => [k.replace('fc2.weight', 'fc2'), v]));
    assert.throws(() => b.loadStateDict(rest), StateDictError);
    const res = b.loadStateDict({ ...rest, extra: tf.zeros([1]) }, { strict: false });
    assert.deepEqual(res.missingKeys, ['fc2.weight']);
    assert.deepEqual(res.unexpectedKeys, ['extra']);
    assert.throws(() => b.loadStateDict({ ...a.stateDict(), scale: tf.zeros([2]) }), /Size mismatch for "scale"/);
    a.dispose();
    b.dispose();
    x.dispose();
  });

  it('train/eval/freeze propagate to every submodule', () => {
    const net = new Net();
    net.eval();
    assert.equal(net.fc1.training, false);
    net.freeze();
    assert.equal(net.numParameters({ trainableOnly: true }), 0);
    net.unfreeze();
    assert.equal(net.fc2.training, true);
    net.dispose();
  });

  it('valueAndGrads gives d loss / d params of a closure', () => {
    const lin = new Linear(2, 1);
    lin.weight.assign(tf.tensor2d([[2, 3]]));
    lin.bias!.assign(tf.tensor1d([1]));
    const before = tf.memory().numTensors;
    const { value, grads } = valueAndGrads(
      () => tf.sum(lin.call(tf.tensor2d([[1, 1], [2, 0]]))),
      lin.parameters().map((p) => p.value),
    );
    assert.equal(value.arraySync(), 6 + 5);
    assert.deepEqual(grads[0]!.arraySync(), [[3, 1]]);
    assert.deepEqual(grads[1]!.arraySync(), [2]);
    value.dispose();
    grads.forEach((g) => g?.dispose());
    assert.equal(tf.memory().numTensors, before);
    lin.dispose();
  });
});
