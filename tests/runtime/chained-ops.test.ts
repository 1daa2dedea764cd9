import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { selectBackend } from '../../src/runtime/backend.js';
import { tf } from '../../src/runtime/tf.js';

describe('chained ops', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('x.op(...) works like tf.op(x, ...) for plain, reshaping and special ops', () => {
    const x = tf.tensor2d([[1, -2], [3, -4]]);
    assert.equal(x.sum().dataSync()[0], -2);
    assert.deepEqual(x.abs().mean(1).arraySync(), [1.5, 3.5]);
    assert.deepEqual(x.reshape([4]).shape, [4]);
    assert.deepEqual(x.flatten().arraySync(), [1, -2, 3, -4]);
    assert.deepEqual(x.concat(x, 0).shape, [4, 2]);
    assert.deepEqual(x.asType('int32').dtype, 'int32');
    assert.deepEqual(x.toFloat().dtype, 'float32');
    assert.deepEqual(x.greater(0).arraySync(), [[1, 0], [1, 0]]);
    assert.deepEqual(x.where(x.greater(0), tf.zerosLike(x)).arraySync(), [[1, 0], [3, 0]]);
    assert.deepEqual(x.matMul(x).arraySync(), [[-5, 6], [-9, 10]]);
  });
});
