import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { MisconfigurationError } from '../../src/errors.js';
import { Linear } from '../../src/nn/linear.js';
import { MultiheadAttention } from '../../src/nn/attention.js';

describe('MultiheadAttention', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it("has PyTorch's state-dict keys, shapes and initialisation", () => {
    const mha = new MultiheadAttention(16, 4);
    const sd = mha.stateDict();
    assert.deepEqual(Object.keys(sd), ['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias']);
    assert.deepEqual(sd.in_proj_weight!.shape, [48, 16]);
    assert.ok(mha.outProj instanceof Linear);
    assert.ok(sd.in_proj_bias!.dataSync().every((v) => v === 0));
    assert.ok(sd['out_proj.bias']!.dataSync().every((v) => v === 0));
    const bound = Math.sqrt(6 / (16 + 48)); // xavier_uniform_ on [3E, E]
    const w = sd.in_proj_weight!.dataSync();
    assert.ok(w.every((v) => Math.abs(v) <= bound) && Math.max(...w) > 0.9 * bound);
    mha.dispose();

    const separate = new MultiheadAttention(8, 2, { kdim: 3, vdim: 5, bias: false });
    assert.deepEqual(
      Object.entries(separate.stateDict()).map(([k, v]) => [k, v.shape]),
      [['q_proj_weight', [8, 8]], ['k_proj_weight', [8, 3]], ['v_proj_weight', [8, 5]], ['out_proj.weight', [8, 8]]],
    );
    separate.dispose();
  });

  it('returns averaged or per-head weights, or none, with the right shapes', () => {
    const mha = new MultiheadAttention(8, 2, { batchFirst: true });
    const q = tf.randomNormal([3, 4, 8]);
    const kv = tf.randomNormal([3, 6, 8]);
    const [out, w] = mha.call(q, kv, kv);
    assert.deepEqual([out.shape, w?.shape], [[3, 4, 8], [3, 4, 6]]);
    const sums = tf.sum(w!, -1).dataSync();
    assert.ok(sums.every((s) => Math.abs(s - 1) < 1e-5), 'rows of the weights sum to 1');
    const [, perHead] = mha.call(q, kv, kv, { averageAttnWeights: false });
    assert.deepEqual(perHead?.shape, [3, 2, 4, 6]);
    const [out2, none] = mha.call(q, kv, kv, { needWeights: false });
    assert.equal(none, null);
    assert.deepEqual(out2.dataSync(), out.dataSync());
    tf.dispose([q, kv, out, w!, perHead, out2]);
    mha.dispose();
  });

  it('gives masked keys zero weight', () => {
    const mha = new MultiheadAttention(4, 1);
    const x = tf.randomNormal([5, 2, 4]);
    const keyPaddingMask = tf.tensor2d([[false, false, true, false, true], [false, false, false, false, false]], [2, 5], 'bool');
    const attnMask = tf.tile(tf.tensor2d([[false, true, false, false, false]], [1, 5], 'bool'), [5, 1]);
    const [out, w] = mha.call(x, x, x, { keyPaddingMask, attnMask });
    const weights = w!.arraySync() as number[][][];
    for (let t = 0; t < 5; t++) {
      assert.equal(weights[0]![t]![2], 0);
      assert.equal(weights[0]![t]![4], 0);
      assert.equal(weights[1]![t]![1], 0);
      assert.ok(weights[1]![t]![4]! > 0);
    }
    tf.dispose([x, keyPaddingMask, attnMask, out, w!]);
    mha.dispose();
  });

  it('rejects a head count that does not divide embedDim, and badly shaped masks', () => {
    assert.throws(() => new MultiheadAttention(10, 3), MisconfigurationError);
    const mha = new MultiheadAttention(4, 2);
    const x = tf.ones([3, 1, 4]);
    assert.throws(() => mha.call(x, x, x, { keyPaddingMask: tf.ones([3, 1], 'bool') }), /keyPaddingMask must have shape \[1, 3\]/);
    assert.throws(() => mha.call(x, x, x, { attnMask: tf.ones([2, 3]) }), /attnMask must have shape \[3, 3\]/);
    assert.throws(() => mha.call(x, tf.ones([3, 1, 5]), x), /MultiheadAttention got query/);
    mha.dispose();
  });
});
