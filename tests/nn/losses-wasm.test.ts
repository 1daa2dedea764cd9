import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { checkLossCase, lossCases } from './loss-fixtures.js';

describe('nn.functional losses against PyTorch 1.13 fixtures (wasm)', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  for (const c of lossCases) {
    it(`${c.name} on wasm: value and input gradient match PyTorch`, () => {
      const before = tf.memory().numTensors;
      checkLossCase(c, 1e-4);
      assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    });
  }
});
