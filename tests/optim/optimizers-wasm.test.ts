import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { Parameter } from '../../src/nn/parameter.js';
import { Adam, RMSprop, SGD } from '../../src/optim/index.js';
import type { ElementwiseOptimizer, UpdateImplementation } from '../../src/optim/index.js';
import { assertClose, loadFixture } from './fixture-helpers.js';

interface OptimCase {
  optimizer: string;
  options: Record<string, unknown>;
  groups: boolean;
  shapes: number[][];
  init: number[][];
  grads: number[][][];
  expected: number[][][];
}

const CASES = loadFixture<OptimCase[]>('optimizers').filter(
  (c) => !c.groups && ((c.optimizer === 'Adam' && c.options.amsgrad === true) || (c.optimizer === 'SGD' && c.options.nesterov === true) || (c.optimizer === 'RMSprop' && c.options.centered === true)),
);
const CLASSES = { SGD, Adam, RMSprop } as unknown as Record<string, new (p: Parameter[], o: object) => ElementwiseOptimizer<{ lr: number }>>;

describe('optimizers on the wasm backend (its flat path writes pieces back without Slice)', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  it('covers the three cases', () => assert.equal(CASES.length, 3));

  for (const c of CASES) {
    for (const implementation of ['flat', 'per-tensor'] as UpdateImplementation[]) {
      it(`${c.optimizer} ${JSON.stringify(c.options)} ${implementation} matches torch and does not leak`, () => {
        const params = c.shapes.map((s, i) => new Parameter(tf.tensor(c.init[i]!, s)));
        const opt = new CLASSES[c.optimizer]!(params, { ...c.options, implementation });
        let count = 0;
        for (let step = 0; step < 20; step++) {
          params.forEach((p, i) => p.setGrad(tf.tensor(c.grads[step]![i]!, c.shapes[i])));
          opt.step();
          if (step === 1) count = tf.memory().numTensors;
          if (step > 1) assert.equal(tf.memory().numTensors, count, `step ${step}`);
          params.forEach((p, i) => assertClose(p.value.dataSync(), c.expected[step]![i]!, 1e-5, `step ${step + 1} param ${i}`));
        }
        opt.disposeState();
        params.forEach((p) => p.dispose());
      });
    }
  }
});
