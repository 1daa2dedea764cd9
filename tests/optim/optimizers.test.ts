import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { Parameter } from '../../src/nn/parameter.js';
import { Adadelta, Adagrad, Adam, Adamax, AdamW, RMSprop, SGD } from '../../src/optim/index.js';
import type { ElementwiseOptimizer, OptimizerStateDict, UpdateImplementation } from '../../src/optim/index.js';
import { MisconfigurationError } from '../../src/errors.js';
import { assertClose, loadFixture } from './fixture-helpers.js';

interface OptimCase {
  optimizer: string;
  options: Record<string, unknown>;
  groups: boolean;
  shapes: number[][];
  init: number[][];
  grads: number[][][];
  expected: number[][][];
  state10: Record<string, Record<string, number | number[]>>;
}

const CASES = loadFixture<OptimCase[]>('optimizers');
type AnyOptimizer = ElementwiseOptimizer<{ lr: number }>;
const CLASSES: Record<string, new (params: never, options: never) => AnyOptimizer> = {
  SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax,
};

function label(c: OptimCase): string {
  return `${c.optimizer}(${JSON.stringify(c.options)})${c.groups ? ' with 2 groups' : ''}`;
}

function makeParams(c: OptimCase, values: number[][]): Parameter[] {
  return c.shapes.map((s, i) => new Parameter(tf.tensor(values[i]!, s)));
}

function makeOptimizer(c: OptimCase, params: Parameter[], implementation: UpdateImplementation): AnyOptimizer {
  const Ctor = CLASSES[c.optimizer]!;
  const options = { ...c.options, implementation };
  const lr = (c.options.lr as number | undefined) ?? 0;
  const input = c.groups ? [{ params: [params[0]!] }, { params: [params[1]!], lr: lr * 0.5 }] : params;
  return new Ctor(input as never, options as never);
}

function setGrads(params: Parameter[], c: OptimCase, step: number): void {
  params.forEach((p, i) => p.setGrad(tf.tensor(c.grads[step]![i]!, c.shapes[i])));
}

function run(c: OptimCase, implementation: UpdateImplementation): number {
  const params = makeParams(c, c.init);
  const opt = makeOptimizer(c, params, implementation);
  let worst = 0;
  for (let step = 0; step < 20; step++) {
    setGrads(params, c, step);
    opt.step();
    params.forEach((p, i) => {
      worst = Math.max(worst, assertClose(p.value.dataSync(), c.expected[step]![i]!, 1e-5, `${label(c)} ${implementation} step ${step + 1} param ${i}`));
    });
  }
  opt.disposeState();
  params.forEach((p) => p.dispose());
  return worst;
}

describe('optimizers match torch.optim 1.13 over 20 steps', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  for (const c of CASES) {
    it(label(c), () => {
      run(c, 'flat');
      run(c, 'per-tensor');
    });
  }

  it('continues from a state dict saved by PyTorch after 10 steps', () => {
    for (const c of CASES) {
      const params = makeParams(c, c.expected[9]!);
      const opt = makeOptimizer(c, params, 'auto');
      const state: OptimizerStateDict['state'] = {};
      for (const [k, entry] of Object.entries(c.state10)) {
        state[Number(k)] = Object.fromEntries(
          Object.entries(entry).map(([name, v]) => [name, typeof v === 'number' ? v : tf.tensor(v, c.shapes[Number(k)])]),
        );
      }
      opt.loadStateDict({ state, paramGroups: opt.stateDict().paramGroups });
      for (const s of Object.values(state)) for (const v of Object.values(s)) if (typeof v !== 'number') v.dispose();
      for (let step = 10; step < 20; step++) {
        setGrads(params, c, step);
        opt.step();
      }
      params.forEach((p, i) => assertClose(p.value.dataSync(), c.expected[19]![i]!, 1e-5, `${label(c)} resumed param ${i}`));
      opt.disposeState();
      params.forEach((p) => p.dispose());
    }
  });
});

describe('optimizer state', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  for (const implementation of ['flat', 'per-tensor'] as const) {
    it(`resumes identically from its own state dict (${implementation})`, () => {
      for (const c of CASES) {
        const a = makeParams(c, c.init);
        const optA = makeOptimizer(c, a, implementation);
        for (let step = 0; step < 10; step++) {
          setGrads(a, c, step);
          optA.step();
        }
        const sd = optA.stateDict();
        const keys = Object.keys(sd.state[0] ?? {});
        assert.ok(c.optimizer === 'SGD' || keys.includes('step'), `${label(c)} state has step: ${keys.join(',')}`);
        for (const t of Object.values(sd.state[0] ?? {})) if (typeof t !== 'number') assert.deepEqual(t.shape, c.shapes[0]);
        const b = makeParams(c, a.map((p) => Array.from(p.value.dataSync())));
        const optB = makeOptimizer(c, b, implementation);
        optB.loadStateDict(sd);
        for (let step = 10; step < 20; step++) {
          setGrads(a, c, step);
          setGrads(b, c, step);
          optA.step();
          optB.step();
        }
        a.forEach((p, i) => assert.deepEqual(Array.from(b[i]!.value.dataSync()), Array.from(p.value.dataSync()), label(c)));
        for (const o of [optA, optB]) o.disposeState();
        for (const p of [...a, ...b]) p.dispose();
      }
    });
  }

  it('keeps the tensor count flat across 20 steps (flat, per-tensor and stateDict in between)', () => {
    for (const implementation of ['flat', 'per-tensor'] as const) {
      const c = CASES.find((x) => x.optimizer === 'Adam' && x.options.amsgrad === true)!;
      const params = makeParams(c, c.init);
      const opt = makeOptimizer(c, params, implementation);
      setGrads(params, c, 0);
      opt.step();
      const before = tf.memory().numTensors;
      for (let step = 1; step < 20; step++) {
        if (step % 7 === 0) opt.stateDict();
        setGrads(params, c, step);
        opt.step();
        assert.equal(tf.memory().numTensors, before, `${implementation} step ${step}`);
      }
      opt.zeroGrad();
      opt.disposeState();
      params.forEach((p) => p.dispose());
    }
  });

  it('skips parameters without a gradient and still matches when they join later', () => {
    const c = CASES.find((x) => x.optimizer === 'Adam' && Object.keys(x.options).length === 0)!;
    const params = makeParams(c, c.init);
    const opt = makeOptimizer(c, params, 'flat');
    const frozen = Array.from(params[1]!.value.dataSync());
    params[0]!.setGrad(tf.tensor(c.grads[0]![0]!, c.shapes[0]));
    opt.step();
    assert.deepEqual(Array.from(params[1]!.value.dataSync()), frozen);
    assert.deepEqual(Object.keys(opt.stateDict().state), ['0']);
    setGrads(params, c, 1);
    opt.step();
    assert.deepEqual(opt.stateDict().state[1]?.step, 1);
    assert.deepEqual(opt.stateDict().state[0]?.step, 2);
    opt.disposeState();
    params.forEach((p) => p.dispose());
  });

  it('sees parameters assigned from outside between flat steps', () => {
    const c = CASES.find((x) => x.optimizer === 'Adam' && Object.keys(x.options).length === 0)!;
    const finals = (['flat', 'per-tensor'] as const).map((implementation) => {
      const params = makeParams(c, c.init);
      const opt = makeOptimizer(c, params, implementation);
      for (let step = 0; step < 6; step++) {
        if (step === 3) tf.tidy(() => params[0]!.assign(tf.onesLike(params[0]!.value)));
        setGrads(params, c, step);
        opt.step();
      }
      const out = params.map((p) => Array.from(p.value.dataSync()));
      opt.disposeState();
      params.forEach((p) => p.dispose());
      return out;
    });
    assert.deepEqual(finals[0], finals[1]);
    assert.ok(Math.abs(finals[0]![0]![0]! - 1) < 0.01, 'the assigned value was the starting point');
  });

  it('runs the closure before the update and returns its value', () => {
    const p = new Parameter(tf.tensor([1, 2]));
    const opt = new SGD([p], { lr: 0.5 });
    const loss = opt.step(() => {
      p.setGrad(tf.tensor([1, 1]));
      return 3;
    });
    assert.equal(loss, 3);
    assert.deepEqual(Array.from(p.value.dataSync()), [0.5, 1.5]);
    opt.zeroGrad();
    assert.equal(p.grad, null);
    p.dispose();
  });

  it('rejects invalid hyperparameters with a hint', () => {
    const p = new Parameter(tf.zeros([2]));
    const bad: Array<() => unknown> = [
      () => new SGD([p], { lr: -1 }),
      () => new SGD([p], { lr: 0.1, nesterov: true }),
      () => new Adam([p], { betas: [1, 0.999] }),
      () => new AdamW([p], { eps: -1 }),
      () => new RMSprop([p], { alpha: -0.1 }),
      () => new Adagrad([p], { lrDecay: -1 }),
      () => new Adadelta([p], { rho: 1.5 }),
      () => new Adamax([p], { weightDecay: -0.1 }),
      () => new Adam([{ params: [p], lr: -0.1 }]),
    ];
    for (const f of bad) {
      assert.throws(f, (e: unknown) => e instanceof MisconfigurationError && e.hint !== undefined);
    }
    p.dispose();
  });
});
