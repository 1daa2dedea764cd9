import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { checkLayerCase, layerCases } from '../nn/layer-fixtures.js';
import { checkLossCase, lossCases } from '../nn/loss-fixtures.js';
import { EmbeddingBag, assertLearns, cnn, mlp, randomBatch, trainSgd } from '../nn/training-helpers.js';
import { nativeSuite } from './helpers.js';

describe('nn layers, losses and training on the native backend (PyTorch 1.13 fixtures)', nativeSuite, () => {
  before(async () => {
    await selectBackend('native');
  });

  for (const c of layerCases) {
    it(`layer ${c.name}: PyTorch's output and gradients, no leaks`, () => {
      const count = tf.memory().numTensors;
      checkLayerCase(c, 1e-4);
      assert.equal(tf.memory().numTensors, count);
    });
  }

  for (const c of lossCases) {
    it(`loss ${c.name}: PyTorch's value and input gradient, no leaks`, () => {
      const count = tf.memory().numTensors;
      checkLossCase(c, 1e-4);
      assert.equal(tf.memory().numTensors, count);
    });
  }

  it('an MLP, a CNN and an Embedding model learn with plain SGD, numTensors flat', () => {
    const model = mlp();
    const { x, y } = randomBatch([16, 784], 10);
    assertLearns(trainSgd(model, x, y), 'MLP');
    tf.dispose([x, y]);
    model.dispose();
    const conv = cnn();
    const batch = randomBatch([16, 1, 12, 12], 10);
    assertLearns(trainSgd(conv, batch.x, batch.y, 20, 0.1), 'CNN');
    tf.dispose([batch.x, batch.y]);
    conv.dispose();
    const emb = new EmbeddingBag();
    const ids = tf.randomUniformInt([16, 6], 0, 50);
    const labels = tf.randomUniformInt([16], 0, 4);
    assertLearns(trainSgd(emb, ids, labels, 20, 1), 'Embedding');
    tf.dispose([ids, labels]);
    emb.dispose();
  });

  it('values read with dataSync() stay intact while the pool recycles other buffers', () => {
    const a = tf.tidy(() => tf.relu(tf.range(-5, 5)));
    const read = a.dataSync();
    const copy = Array.from(read);
    a.dispose();
    // Same-sized outputs after the dispose would reuse a's array if it had been pooled.
    const others = Array.from({ length: 4 }, () => tf.tidy(() => tf.relu(tf.fill([10], 7))));
    assert.deepEqual(Array.from(read), copy);
    tf.dispose(others);
  });

  it('a view made by a cpu fallback kernel (StridedSlice → subarray) survives its parent being disposed', () => {
    const parent = tf.tidy(() => tf.relu(tf.range(0, 12)));
    const row = tf.stridedSlice(parent, [4], [8], [1]);
    parent.dispose();
    const others = Array.from({ length: 4 }, () => tf.tidy(() => tf.relu(tf.fill([12], 9))));
    assert.deepEqual(Array.from(row.dataSync()), [4, 5, 6, 7]);
    tf.dispose([row, ...others]);
  });
});
