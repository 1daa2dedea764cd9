import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { Parameter } from '../../src/nn/parameter.js';
import { clipGradNorm, clipGradValue } from '../../src/optim/index.js';
import { AnomalyError, MisconfigurationError } from '../../src/errors.js';
import { assertClose, loadFixture } from './fixture-helpers.js';

interface ClipCase {
  kind: 'norm' | 'value';
  maxNorm?: number;
  normType?: number | 'inf';
  clipValue?: number;
  total?: number;
  grads: number[][];
}
const FIXTURE = loadFixture<{ shapes: number[][]; input: number[][]; cases: ClipCase[] }>('clip');

function params(): Parameter[] {
  return FIXTURE.shapes.map((s, i) => {
    const p = new Parameter(tf.zeros(s));
    p.setGrad(tf.tensor(FIXTURE.input[i]!, s));
    return p;
  });
}

describe('gradient clipping matches torch.nn.utils 1.13', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  for (const c of FIXTURE.cases) {
    it(`${c.kind} ${JSON.stringify(c.maxNorm ?? c.clipValue)} ${String(c.normType ?? '')}`, () => {
      const ps = params();
      const before = tf.memory().numTensors;
      if (c.kind === 'norm') {
        const normType = c.normType === 'inf' ? Infinity : c.normType!;
        const total = clipGradNorm(ps, c.maxNorm!, normType);
        assertClose([total], [c.total!], 1e-6, 'total norm');
      } else {
        clipGradValue(ps, c.clipValue!);
      }
      assert.equal(tf.memory().numTensors, before);
      ps.forEach((p, i) => assertClose(p.grad!.dataSync(), c.grads[i]!, 1e-6, `grad ${i}`));
      ps.forEach((p) => p.dispose());
    });
  }

  it('skips parameters without gradients, rejects bad input and reports non-finite norms on request', () => {
    const p = new Parameter(tf.zeros([2]));
    assert.equal(clipGradNorm([p], 1), 0);
    assert.throws(() => clipGradNorm([p], 1, -1), MisconfigurationError);
    assert.throws(() => clipGradValue([p], -1), MisconfigurationError);
    p.setGrad(tf.tensor([Infinity, 1]));
    assert.throws(() => clipGradNorm(p, 1, 2, { errorIfNonfinite: true }), AnomalyError);
    p.dispose();
  });
});
