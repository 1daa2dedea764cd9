import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
import { Parameter } from '../../src/nn/parameter.js';
import { Adagrad, Adam, AdamW, RMSprop, SGD } from '../../src/optim/index.js';
import type { ElementwiseOptimizer, UpdateImplementation } from '../../src/optim/index.js';
import { assertClose, loadFixture } from '../optim/fixture-helpers.js';
import { nativeSuite } from './helpers.js';

interface OptimCase {
  optimizer: string;
  options: Record<string, unknown>;
  groups: boolean;
  shapes: number[][];
  init: number[][];
  grads: number[][][];
  expected: number[][][];
}

type AnyOptimizer = ElementwiseOptimizer<{ lr: number }>;
const CLASSES: Record<string, new (params: never, options: never) => AnyOptimizer> = { SGD, Adam, AdamW, RMSprop, Adagrad };
const FUSED = new Set(['SGD', 'Adam', 'AdamW', 'RMSprop']);
const CASES = loadFixture<OptimCase[]>('optimizers').filter((c) => c.optimizer in CLASSES);

function label(c: OptimCase): string {
  return `${c.optimizer}(${JSON.stringify(c.options)})${c.groups ? ' with 2 groups' : ''}`;
}

/** Run a fixture case for 20 steps; returns every step's parameter values. */
function trajectory(c: OptimCase, implementation: UpdateImplementation): Float32Array[][] {
  const params = c.shapes.map((s, i) => new Parameter(tf.tensor(c.init[i]!, s)));
  const lr = (c.options.lr as number | undefined) ?? 0;
  const input = c.groups ? [{ params: [params[0]!] }, { params: [params[1]!], lr: lr * 0.5 }] : params;
  const opt = new CLASSES[c.optimizer]!(input as never, { ...c.options, implementation } as never);
  const steps: Float32Array[][] = [];
  let count = 0;
  for (let step = 0; step < 20; step++) {
    params.forEach((p, i) => p.setGrad(tf.tensor(c.grads[step]![i]!, c.shapes[i])));
    opt.step();
    if (step === 1) count = tf.memory().numTensors;
    if (step > 1) assert.equal(tf.memory().numTensors, count, `${label(c)}: tensors leaked at step ${step}`);
    steps.push(params.map((p) => Float32Array.from(p.value.dataSync())));
  }
  opt.disposeState();
  params.forEach((p) => p.dispose());
  return steps;
}

describe('optimizers on the native backend (fused updates)', nativeSuite, () => {
  it('covers every fused optimizer', () => {
    assert.deepEqual([...new Set(CASES.map((c) => c.optimizer))].filter((n) => FUSED.has(n)).sort(), ['Adam', 'AdamW', 'RMSprop', 'SGD']);
  });

  for (const c of CASES) {
    it(`${label(c)} matches torch and gives the generic cpu path's numbers bit for bit`, async () => {
      await tf.setBackend('cpu');
      const reference = trajectory(c, 'per-tensor');
      await tf.setBackend('native');
      for (const implementation of ['flat', 'per-tensor'] as UpdateImplementation[]) {
        const got = trajectory(c, implementation);
        got.forEach((params, step) =>
          params.forEach((values, i) => {
            assertClose(values, c.expected[step]![i]!, 1e-5, `${label(c)} ${implementation} step ${step + 1} param ${i}`);
            assert.deepEqual(values, reference[step]![i], `${label(c)} ${implementation} step ${step + 1} param ${i}: native differs from cpu`);
          }),
        );
      }
      await tf.setBackend('cpu');
    });
  }

  it('runs one update kernel per parameter (per-tensor) or per group (flat) for Adam, AdamW, SGD and RMSprop', async () => {
    await tf.setBackend('native');
    const params = [new Parameter(tf.ones([3, 4])), new Parameter(tf.ones([4]))];
    for (const [implementation, expected] of [['per-tensor', 2], ['flat', 1]] as const) {
      const options = { implementation };
      const optimizers = [new Adam(params, options), new AdamW(params, options), new SGD(params, { lr: 0.1, momentum: 0.9, ...options }), new RMSprop(params, { centered: true, ...options })];
      for (const opt of optimizers) {
        for (let step = 0; step < 2; step++) {
          params.forEach((p) => p.setGrad(tf.fill(p.shape, 0.5)));
          const info = await tf.profile(() => {
            opt.step();
          });
          const names = info.kernels.map((k) => k.name);
          assert.equal(names.filter((n) => n.startsWith('Lightning')).length, expected, `${opt.constructor.name} ${implementation}: ${names.join(', ')}`);
        }
        opt.disposeState();
      }
    }
    params.forEach((p) => p.dispose());
    await tf.setBackend('cpu');
  });
});
