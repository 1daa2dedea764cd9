// LearningRateMonitor (names, intervals, momentum/weight decay, prefix), Timer, LambdaCallback and
// GradientAccumulationScheduler.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { GradientAccumulationScheduler, isAccumulationSchedule } from '../../src/callbacks/gradient-accumulation-scheduler.js';
import { LambdaCallback } from '../../src/callbacks/lambda-callback.js';
import { LearningRateMonitor } from '../../src/callbacks/lr-monitor.js';
import { Timer } from '../../src/callbacks/timer.js';
import type { OptimizerConfigOutput } from '../../src/core/optimizer-config.js';
import { MisconfigurationError } from '../../src/errors.js';
import { InMemoryLogger } from '../../src/loggers/in-memory-logger.js';
import { Linear } from '../../src/nn/linear.js';
import { Adam } from '../../src/optim/adam.js';
import { StepLR } from '../../src/optim/lr-scheduler.js';
import { SGD } from '../../src/optim/sgd.js';
import { selectBackend } from '../../src/runtime/backend.js';
import type { Scalar, Tensor } from '../../src/runtime/tf.js';
import { Trainer } from '../../src/trainer/trainer.js';
import type { TrainerOptions } from '../../src/trainer/trainer-options.js';
import { BoringModel } from '../helpers/boring-model.js';

const quiet: TrainerOptions = {
  enableProgressBar: false, enableModelSummary: false, enableCheckpointing: false, handleSignals: false, numSanityValSteps: 0, limitValBatches: 0,
};

function lrRows(logger: InMemoryLogger, key: string): Array<[number, number]> {
  return logger.rows.filter((r) => key in r.metrics).map((r) => [r.step, r.metrics[key] ?? Number.NaN]);
}

describe('LearningRateMonitor', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('follows a step scheduler, with momentum and weight decay', async () => {
    class M extends BoringModel {
      override configureOptimizers(): OptimizerConfigOutput {
        const optimizer = new SGD(this.parameters(), { lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
        return { optimizer, lrScheduler: { scheduler: new StepLR(optimizer, { stepSize: 1, gamma: 0.5 }), interval: 'step' } };
      }
    }
    const logger = new InMemoryLogger();
    const monitor = new LearningRateMonitor({ logMomentum: true, logWeightDecay: true });
    await new Trainer({ ...quiet, maxEpochs: 1, limitTrainBatches: 4, logEveryNSteps: 1, logger, callbacks: [monitor] }).fit(new M());
    assert.deepEqual(lrRows(logger, 'lr-SGD'), [[0, 0.1], [1, 0.05], [2, 0.025], [3, 0.0125]]);
    assert.deepEqual(monitor.lrs['lr-SGD-momentum'], [0.9, 0.9, 0.9, 0.9]);
    assert.deepEqual(monitor.lrs['lr-SGD-weight_decay'], [0.01, 0.01, 0.01, 0.01]);
  });

  it('logs param groups per epoch with names, betas[0] as momentum and a key prefix', async () => {
    class M extends BoringModel {
      readonly extra = new Linear(2, 2);
      override configureOptimizers(): OptimizerConfigOutput {
        const optimizer = new Adam([{ params: this.layer.parameters() }, { params: this.extra.parameters(), lr: 0.01, name: 'head' }], { lr: 0.001, betas: [0.8, 0.99] });
        return optimizer;
      }
    }
    const logger = new InMemoryLogger();
    const monitor = new LearningRateMonitor({ loggingInterval: 'epoch', logMomentum: true, logKeyPrefix: 'opt/' });
    await new Trainer({ ...quiet, maxEpochs: 2, limitTrainBatches: 3, logger, callbacks: [monitor] }).fit(new M());
    assert.deepEqual(Object.keys(monitor.lrs).sort(), ['opt/lr-Adam/head', 'opt/lr-Adam/head-momentum', 'opt/lr-Adam/pg1', 'opt/lr-Adam/pg1-momentum']);
    assert.deepEqual(lrRows(logger, 'opt/lr-Adam/pg1'), [[0, 0.001], [3, 0.001]]);
    assert.deepEqual(monitor.lrs['opt/lr-Adam/head'], [0.01, 0.01]);
    assert.deepEqual(monitor.lrs['opt/lr-Adam/head-momentum'], [0.8, 0.8]);
  });

  it('names repeated optimizer classes -1 and honours the scheduler config name (manual optimization)', async () => {
    class M extends BoringModel {
      readonly extra = new Linear(2, 2);
      constructor() {
        super();
        this.automaticOptimization = false;
      }
      override trainingStep(batch: Tensor): Scalar {
        const [a, b] = [this.optimizer(0), this.optimizer(1)];
        const loss = this.manualBackward(() => this.loss(this.forward(batch)));
        a.step();
        b.step();
        a.zeroGrad();
        b.zeroGrad();
        return loss;
      }
      override configureOptimizers(): OptimizerConfigOutput {
        const a = new SGD(this.layer.parameters(), { lr: 0.1 });
        const b = new SGD(this.extra.parameters(), { lr: 0.2 });
        const c = new SGD(this.extra.parameters(), { lr: 0.3 });
        return [[a, b, c], [{ scheduler: new StepLR(c, { stepSize: 10 }), name: 'custom' }]];
      }
    }
    const monitor = new LearningRateMonitor({ loggingInterval: 'step' });
    let stats: Record<string, number> = {};
    const grab = new LambdaCallback({ onTrainStart: (t) => { stats = monitor.extractStats(t, 'any'); } });
    await new Trainer({ ...quiet, maxEpochs: 1, limitTrainBatches: 1, logger: new InMemoryLogger(), callbacks: [grab] }).fit(new M());
    // Optimizers with schedulers are named first (c is the first SGD seen), then the others in order.
    assert.deepEqual(stats, { custom: 0.3, 'lr-SGD-1': 0.1, 'lr-SGD-2': 0.2 });
  });

  it('refuses to run without a logger', async () => {
    const trainer = new Trainer({ ...quiet, maxEpochs: 1, limitTrainBatches: 1, logger: false, callbacks: [new LearningRateMonitor()] });
    await assert.rejects(trainer.fit(new BoringModel()), MisconfigurationError);
  });
});

describe('Timer', () => {
  it('stops training once the budget is spent and reports elapsed/remaining time', async () => {
    let now = 0;
    const printed: string[] = [];
    const timer = new Timer({ durationMs: 250, now: () => now });
    class M extends BoringModel {
      override onTrainBatchStart(): void {
        now += 100;
      }
    }
    const trainer = new Trainer({ ...quiet, maxEpochs: 5, limitTrainBatches: 4, logger: false, callbacks: [timer] });
    trainer.print = (...args: unknown[]) => { printed.push(String(args[0])); };
    await trainer.fit(new M());
    assert.equal(trainer.globalStep, 3);
    assert.equal(timer.timeElapsed('train'), 300);
    assert.equal(timer.timeRemaining(), -50);
    assert.match(printed.find((p) => p.startsWith('Time')) ?? '', /Time limit reached\. Elapsed time is 0\.3 s/);
    assert.deepEqual(timer.stateDict(), { timeElapsed: { train: 300, validate: 0, test: 0, predict: 0 } });
    const restored = new Timer({ durationMs: 1000, now: () => now });
    restored.loadStateDict(timer.stateDict());
    assert.equal(restored.timeElapsed('train'), 300);
    assert.equal(restored.timeRemaining(), 700);
  });

  it('checks per epoch with interval "epoch"', async () => {
    let now = 0;
    const timer = new Timer({ durationMs: 250, interval: 'epoch', verbose: false, now: () => now });
    class M extends BoringModel {
      override onTrainBatchStart(): void {
        now += 100;
      }
    }
    const trainer = new Trainer({ ...quiet, maxEpochs: 5, limitTrainBatches: 2, logger: false, callbacks: [timer] });
    await trainer.fit(new M());
    assert.equal(trainer.globalStep, 4);
    assert.equal(trainer.currentEpoch, 2);
  });

  it('rejects bad options', () => {
    assert.throws(() => new Timer({ durationMs: -1 }), MisconfigurationError);
    assert.throws(() => new Timer({ interval: 'batch' as 'step' }), MisconfigurationError);
  });
});

describe('LambdaCallback', () => {
  it('calls the given hooks with the trainer and module', async () => {
    const seen: string[] = [];
    const cb = new LambdaCallback({
      onTrainEpochEnd: (trainer) => { seen.push(`epoch-end ${trainer.currentEpoch}`); },
      onTrainBatchEnd: (_t, _m, outputs, _b, batchIdx) => { seen.push(`batch ${batchIdx} ${outputs.loss === undefined ? 'no-loss' : 'loss'}`); },
    });
    assert.ok(!('onValidationEnd' in cb));
    await new Trainer({ ...quiet, maxEpochs: 2, limitTrainBatches: 2, logger: false, callbacks: [cb] }).fit(new BoringModel());
    assert.deepEqual(seen, ['batch 0 loss', 'batch 1 loss', 'epoch-end 0', 'batch 0 loss', 'batch 1 loss', 'epoch-end 1']);
  });
});

describe('GradientAccumulationScheduler', () => {
  it('gives the factor per epoch, starting at 1 before the first key', () => {
    const s = new GradientAccumulationScheduler({ scheduling: { 4: 2, 2: 3, 8: 1 } });
    assert.deepEqual([0, 1, 2, 3, 4, 7, 8, 100].map((e) => s.accumulationFactor(e)), [1, 1, 3, 3, 2, 2, 1, 1]);
    assert.ok(isAccumulationSchedule(s));
    assert.ok(!isAccumulationSchedule(new Timer()));
  });

  it('validates the schedule and the trainer settings', async () => {
    assert.throws(() => new GradientAccumulationScheduler({ scheduling: {} }), /empty scheduling/);
    assert.throws(() => new GradientAccumulationScheduler({ scheduling: { 0: 0 } }), /positive integers/);
    assert.throws(() => new GradientAccumulationScheduler({ scheduling: { [-1]: 2 } }), /non-negative integers/);
    const trainer = new Trainer({ ...quiet, maxEpochs: 1, limitTrainBatches: 2, logger: false, accumulateGradBatches: 2, callbacks: [new GradientAccumulationScheduler({ scheduling: { 0: 2 } })] });
    await assert.rejects(trainer.fit(new BoringModel()), /accumulateGradBatches: 2 is set together with a GradientAccumulationScheduler/);
  });
});
