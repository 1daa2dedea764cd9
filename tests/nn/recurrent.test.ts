import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
import type { Tensor } from '../../src/runtime/tf.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { valueAndGrads } from '../../src/runtime/autograd.js';
import { LightningError, MisconfigurationError } from '../../src/errors.js';
import { GRU } from '../../src/nn/gru.js';
import { LSTM } from '../../src/nn/lstm.js';
import { Linear } from '../../src/nn/linear.js';
import { Module } from '../../src/nn/module.js';

describe('LSTM and GRU structure', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('names, orders and shapes parameters like torch.nn.LSTM', () => {
    const lstm = new LSTM(3, 5, { numLayers: 2, bidirectional: true });
    const shapes = Object.fromEntries(Object.entries(lstm.stateDict()).map(([k, v]) => [k, v.shape]));
    assert.deepEqual(Object.keys(shapes), [
      'weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0',
      'weight_ih_l0_reverse', 'weight_hh_l0_reverse', 'bias_ih_l0_reverse', 'bias_hh_l0_reverse',
      'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1',
      'weight_ih_l1_reverse', 'weight_hh_l1_reverse', 'bias_ih_l1_reverse', 'bias_hh_l1_reverse',
    ]);
    assert.deepEqual(shapes.weight_ih_l0, [20, 3]);
    assert.deepEqual(shapes.weight_ih_l1, [20, 10]);
    assert.deepEqual(shapes.weight_hh_l1_reverse, [20, 5]);
    assert.deepEqual(shapes.bias_hh_l0, [20]);
    lstm.dispose();
  });

  it('GRU has 3 gates and no biases with bias: false', () => {
    const gru = new GRU(4, 6, { bias: false });
    assert.deepEqual(
      gru.namedParameters().map(([n, p]) => [n, p.shape]),
      [['weight_ih_l0', [18, 4]], ['weight_hh_l0', [18, 6]]],
    );
    gru.dispose();
  });

  it('initialises every parameter uniform in ±1/√hidden', () => {
    const lstm = new LSTM(30, 16);
    for (const p of lstm.parameters()) {
      const v = p.value.dataSync();
      const bound = 1 / Math.sqrt(16);
      assert.ok(v.every((x) => Math.abs(x) <= bound), 'inside the bound');
      assert.ok(Math.max(...v) > 0.8 * bound && Math.min(...v) < -0.8 * bound, 'spread over the bound');
    }
    lstm.dispose();
  });

  it("returns PyTorch's shapes for sequence-first, batch-first and unbatched input", () => {
    const lstm = new LSTM(3, 4, { numLayers: 2, bidirectional: true, batchFirst: true });
    const [out, [h, c]] = lstm.call(tf.ones([2, 7, 3]));
    assert.deepEqual([out.shape, h.shape, c.shape], [[2, 7, 8], [4, 2, 4], [4, 2, 4]]);
    const [uOut, [uH]] = lstm.call(tf.ones([7, 3]));
    assert.deepEqual([uOut.shape, uH.shape], [[7, 8], [4, 4]]);
    const gru = new GRU(3, 4);
    const [gOut, gH] = gru.call(tf.ones([7, 2, 3]), tf.zeros([1, 2, 4]));
    assert.deepEqual([gOut.shape, gH.shape], [[7, 2, 4], [1, 2, 4]]);
    // The last output step of a one-layer unidirectional GRU is its final hidden state.
    assert.deepEqual(tf.slice(gOut, [6, 0, 0], [1, 2, 4]).dataSync(), gH.dataSync());
    tf.dispose([out, h, c, uOut, uH, gOut, gH]);
    lstm.dispose();
    gru.dispose();
  });

  it('rejects wrong sizes with a hint', () => {
    assert.throws(() => new LSTM(0, 4), MisconfigurationError);
    assert.throws(() => new GRU(3, 4, { dropout: 1.5 }), /dropout must be a probability/);
    const lstm = new LSTM(3, 4);
    assert.throws(() => lstm.call(tf.ones([5, 2, 6])), (e: unknown) => e instanceof LightningError && /\[5, 2, 6\]/.test(e.message));
    assert.throws(() => lstm.call(tf.ones([5, 2, 3]), [tf.zeros([2, 2, 4]), tf.zeros([1, 2, 4])]), /h_0 of shape \[1, 2, 4\]/);
    lstm.dispose();
  });

  it('applies inter-layer dropout only in training mode', () => {
    const gru = new GRU(3, 8, { numLayers: 2, dropout: 0.5 });
    const x = tf.randomNormal([4, 2, 3]);
    const run = (): Float32Array => {
      const [o, h] = gru.call(x);
      const d = o.dataSync() as Float32Array;
      tf.dispose([o, h]);
      return d;
    };
    gru.eval();
    assert.deepEqual(run(), run());
    gru.train();
    assert.notDeepEqual(run(), run());
    gru.dispose();
    x.dispose();
  });
});

/** Lightning's parity model: LSTM(10, 20, batch_first) over the sequence, Linear(20, 5) on the last step. */
class ParityModel extends Module<[Tensor], Tensor> {
  readonly rnn = new LSTM(10, 20, { batchFirst: true });
  readonly linear = new Linear(20, 5);
  override forward(x: Tensor): Tensor {
    return tf.tidy(() => {
      const [out, [h, c]] = this.rnn.call(x);
      tf.dispose([h, c]);
      const last = tf.squeeze(tf.slice(out, [0, out.shape[1]! - 1, 0], [-1, 1, -1]), [1]);
      return this.linear.call(last);
    });
  }
}

describe('LSTM(10, 20, batchFirst) + Linear(20, 5) trains on wasm', () => {
  before(async () => {
    await selectBackend('wasm');
  });
  after(async () => {
    await selectBackend('cpu');
  });

  it('lowers the MSE loss with manual SGD and leaks no tensors', () => {
    const model = new ParityModel();
    const x = tf.randomNormal([8, 6, 10], 0, 1, 'float32', 1);
    // A learnable target: the sequence mean of the first five features.
    const y = tf.slice(tf.mean(x, 1), [0, 0], [-1, 5]);
    const params = model.parameters();
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    for (let step = 0; step < 60; step++) {
      const { value, grads } = valueAndGrads(() => tf.mean(tf.square(tf.sub(model.call(x), y))), params.map((p) => p.value));
      assert.ok(grads.every((g) => g !== null), 'every parameter gets a gradient');
      tf.tidy(() => params.forEach((p, i) => p.value.assign(tf.sub(p.value, tf.mul(grads[i]!, 0.5)))));
      losses.push(value.dataSync()[0]!);
      tf.dispose([value, ...grads.filter((g): g is Tensor => g !== null)]);
    }
    assert.equal(tf.memory().numTensors, before, 'tensor count stays flat');
    assert.ok(losses.every(Number.isFinite));
    assert.ok(losses.at(-1)! < 0.3 * losses[0]!, `loss ${losses[0]} → ${losses.at(-1)}`);
    model.dispose();
    tf.dispose([x, y]);
  });
});
