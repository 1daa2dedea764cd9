import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { EmbeddingBag, assertLearns, cnn, mlp, randomBatch, trainSgd } from './training-helpers.js';

describe('training smoke runs with plain SGD (wasm)', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  it('a 784-128-256-10 MLP reduces the loss over 20 steps, numTensors flat', () => {
    const model = mlp();
    const { x, y } = randomBatch([16, 784], 10);
    const before = tf.memory().numTensors;
    assertLearns(trainSgd(model, x, y, 100), 'MLP');
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('a small CNN (Conv2d → ReLU → MaxPool2d → Flatten → Linear) reduces the loss', () => {
    const model = cnn();
    const { x, y } = randomBatch([16, 1, 12, 12], 10);
    assertLearns(trainSgd(model, x, y, 100, 0.1), 'CNN');
    tf.dispose([x, y]);
    model.dispose();
  });

  it('an Embedding model trains and its padding row stays untouched', () => {
    const model = new EmbeddingBag();
    const ids = tf.randomUniformInt([16, 6], 0, 50);
    const y = tf.randomUniformInt([16], 0, 4);
    const padBefore = Array.from(tf.tidy(() => tf.slice(model.emb.weight.value, [0, 0], [1, 16])).dataSync());
    assertLearns(trainSgd(model, ids, y, 20, 1), 'Embedding');
    const padAfter = Array.from(tf.tidy(() => tf.slice(model.emb.weight.value, [0, 0], [1, 16])).dataSync());
    assert.deepEqual(padAfter, padBefore);
    tf.dispose([ids, y]);
    model.dispose();
  });
});
