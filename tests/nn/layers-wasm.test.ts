import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { checkLayerCase, layerCases } from './layer-fixtures.js';

describe('nn layers against PyTorch 1.13 fixtures (wasm)', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  for (const c of layerCases) {
    it(`${c.name} trains on wasm with PyTorch's output and gradients`, () => {
      const before = tf.memory().numTensors;
      checkLayerCase(c, 1e-4);
      assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    });
  }
});
