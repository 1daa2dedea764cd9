import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { checkLayerCase, layerCases } from './layer-fixtures.js';

describe('nn layers against PyTorch 1.13 fixtures (cpu)', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  for (const c of layerCases) {
    it(`${c.name}: state dict keys, output and gradients match PyTorch`, () => {
      const before = tf.memory().numTensors;
      checkLayerCase(c);
      assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    });
  }
});
