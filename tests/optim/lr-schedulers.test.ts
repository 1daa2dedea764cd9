import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { Parameter } from '../../src/nn/parameter.js';
import {
  Adam, ChainedScheduler, ConstantLR, CosineAnnealingLR, CosineAnnealingWarmRestarts, CyclicLR, ExponentialLR, LambdaLR,
  LinearLR, MultiplicativeLR, MultiStepLR, OneCycleLR, PolynomialLR, ReduceLROnPlateau, SequentialLR, SGD, StepLR,
  isReduceLROnPlateau,
} from '../../src/optim/index.js';
import type { AnyLRScheduler, LRScheduler, Optimizer } from '../../src/optim/index.js';
import { MisconfigurationError } from '../../src/errors.js';
import { loadFixture } from './fixture-helpers.js';

interface Spec {
  type: string;
  options: Record<string, unknown>;
  children?: Spec[];
}
interface SchedCase {
  name: string;
  optimizer: 'SGD' | 'Adam';
  spec: Spec;
  lrs: number[][];
  momentum: number[][] | null;
  metrics?: number[];
}
const FIXTURE = loadFixture<{ initialLrs: number[]; cases: SchedCase[] }>('schedulers');

function makeOptimizer(kind: 'SGD' | 'Adam'): Optimizer {
  const [lr0, lr1] = FIXTURE.initialLrs as [number, number];
  const groups = [{ params: [new Parameter(tf.zeros([2]))], lr: lr0 }, { params: [new Parameter(tf.zeros([2]))], lr: lr1 }];
  return kind === 'Adam' ? new Adam(groups, { lr: lr0 }) : new SGD(groups, { lr: lr0, momentum: 0.9 });
}

function build(opt: Optimizer, spec: Spec): AnyLRScheduler {
  const o = spec.options as never;
  switch (spec.type) {
    case 'StepLR': return new StepLR(opt, o);
    case 'MultiStepLR': return new MultiStepLR(opt, o);
    case 'ExponentialLR': return new ExponentialLR(opt, o);
    case 'CosineAnnealingLR': return new CosineAnnealingLR(opt, o);
    case 'CosineAnnealingWarmRestarts': return new CosineAnnealingWarmRestarts(opt, o);
    case 'LinearLR': return new LinearLR(opt, o);
    case 'ConstantLR': return new ConstantLR(opt, o);
    case 'PolynomialLR': return new PolynomialLR(opt, o);
    case 'LambdaLR': return new LambdaLR(opt, { lrLambda: (e) => 0.95 ** e });
    case 'MultiplicativeLR': return new MultiplicativeLR(opt, { lrLambda: () => 0.97 });
    case 'OneCycleLR': return new OneCycleLR(opt, o);
    case 'CyclicLR': return new CyclicLR(opt, o);
    case 'ReduceLROnPlateau': return new ReduceLROnPlateau(opt, o);
    case 'SequentialLR': {
      const children = spec.children!.map((c) => build(opt, c) as LRScheduler);
      return new SequentialLR(opt, { schedulers: children, milestones: spec.options.milestones as number[] });
    }
    case 'ChainedScheduler': return new ChainedScheduler(spec.children!.map((c) => build(opt, c) as LRScheduler));
    default: throw new Error(`unknown scheduler ${spec.type}`);
  }
}

function momentumOf(opt: Optimizer): number[] {
  return opt.paramGroups.map((g) => {
    const r = g as unknown as { betas?: number[]; momentum?: number };
    return r.betas !== undefined ? r.betas[0]! : r.momentum!;
  });
}

/** Absolute error <= 1e-7, relative for lrs below 1e-3. */
function assertSeq(actual: number, expected: number, what: string): void {
  const tol = Math.abs(expected) < 1e-3 ? 1e-7 * Math.abs(expected) + 1e-15 : 1e-7;
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: got ${actual}, expected ${expected}`);
}

function replay(c: SchedCase, from?: { opt: Optimizer; sched: AnyLRScheduler; start: number }): void {
  const opt = from?.opt ?? makeOptimizer(c.optimizer);
  const sched = from?.sched ?? build(opt, c.spec);
  const start = from?.start ?? 0;
  const check = (i: number): void => {
    opt.paramGroups.forEach((g, k) => assertSeq(g.lr, c.lrs[i]![k]!, `${c.name} lr[${i}] group ${k}`));
    if (i > 0 || from === undefined) sched.getLastLr().forEach((lr, k) => assertSeq(lr, c.lrs[i]![k]!, `${c.name} getLastLr[${i}] group ${k}`));
    if (c.momentum !== null) momentumOf(opt).forEach((m, k) => assertSeq(m, c.momentum![i]![k]!, `${c.name} momentum[${i}] group ${k}`));
  };
  if (from === undefined) check(0);
  for (let i = start + 1; i < c.lrs.length; i++) {
    if (isReduceLROnPlateau(sched)) sched.step(c.metrics![i - 1]);
    else sched.step();
    check(i);
  }
}

describe('LR schedulers match torch.optim.lr_scheduler 1.13 over 60 steps', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  for (const c of FIXTURE.cases) {
    it(`${c.name} ${JSON.stringify(c.spec.options)}`, () => replay(c));
  }

  it('resumes each schedule from its state dict after 25 steps', () => {
    for (const c of FIXTURE.cases) {
      const opt = makeOptimizer(c.optimizer);
      const sched = build(opt, c.spec);
      for (let i = 1; i <= 25; i++) {
        if (isReduceLROnPlateau(sched)) sched.step(c.metrics![i - 1]);
        else sched.step();
      }
      const state = JSON.parse(JSON.stringify(sched.stateDict())) as Record<string, unknown>;
      const optState = opt.stateDict();
      const opt2 = makeOptimizer(c.optimizer);
      opt2.loadStateDict(JSON.parse(JSON.stringify(optState)) as never);
      const sched2 = build(opt2, c.spec);
      opt2.loadStateDict(JSON.parse(JSON.stringify(optState)) as never);
      sched2.loadStateDict(state);
      replay(c, { opt: opt2, sched: sched2, start: 25 });
    }
  });
});

describe('LR scheduler behaviour', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('records initialLr on the groups and steps once at construction', () => {
    const opt = makeOptimizer('SGD');
    const s = new StepLR(opt, { stepSize: 2 });
    assert.deepEqual(opt.paramGroups.map((g) => g.initialLr), FIXTURE.initialLrs);
    assert.equal(s.lastEpoch, 0);
    assert.deepEqual(s.getLastLr(), FIXTURE.initialLrs);
    assert.equal(isReduceLROnPlateau(s), false);
    assert.equal(isReduceLROnPlateau(new ReduceLROnPlateau(opt)), true);
  });

  it('resumes from lastEpoch with the closed form on its first step (CosineAnnealingLR)', () => {
    const c = FIXTURE.cases.find((x) => x.name === 'CosineAnnealingLR')!;
    const opt = makeOptimizer('SGD');
    for (const g of opt.paramGroups) g.initialLr = g.lr;
    const sched = new CosineAnnealingLR(opt, { tMax: 25, etaMin: 0.001, lastEpoch: 24 });
    sched.getLastLr().forEach((lr, k) => assertSeq(lr, c.lrs[25]![k]!, `resumed lr group ${k}`));
    replay(c, { opt, sched, start: 25 });
  });

  it('rejects bad configurations with a hint', () => {
    const opt = makeOptimizer('SGD');
    const bad: Array<() => unknown> = [
      () => new StepLR(opt, { stepSize: 0 }),
      () => new ReduceLROnPlateau(opt, { factor: 1.5 }),
      () => new LinearLR(opt, { startFactor: 2 }),
      () => new OneCycleLR(opt, { maxLr: 0.1 }),
      () => new ExponentialLR(makeOptimizer('SGD'), { gamma: 0.9, lastEpoch: 3 }),
      () => new OneCycleLR(new SGD([new Parameter(tf.zeros([1]))], { lr: 0.1 }), { maxLr: [0.1, 0.2], totalSteps: 10 }),
      () => new ReduceLROnPlateau(opt).step(),
    ];
    for (const f of bad) assert.throws(f, (e: unknown) => e instanceof MisconfigurationError && e.hint !== undefined);
    const one = new OneCycleLR(makeOptimizer('SGD'), { maxLr: 0.1, totalSteps: 3 });
    one.step();
    one.step();
    one.step();
    assert.throws(() => one.step(), MisconfigurationError);
  });
});
