// Every configureOptimizers() format and lr-scheduler-config key of lightning-2.6.md §3.1-§3.2, checked through a
// real fit: which optimizers step, and the LR sequence the schedulers give against the same scheduler stepped by hand.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LrSchedulerConfigInput, OptimizerConfigOutput } from '../../src/core/optimizer-config.js';
import { MisconfigurationError } from '../../src/errors.js';
import { Linear } from '../../src/nn/linear.js';
import { ReduceLROnPlateau, SGD, StepLR } from '../../src/optim/index.js';
import type { Optimizer } from '../../src/optim/optimizer.js';
import { selectBackend } from '../../src/runtime/backend.js';
import type { Scalar } from '../../src/runtime/tf.js';
import { Trainer } from '../../src/trainer/trainer.js';
import type { TrainerOptions } from '../../src/trainer/trainer-options.js';
import { resetWarnings, setWarningSink } from '../../src/utilities/warnings.js';
import type { WarningSink } from '../../src/utilities/warnings.js';
import { LrRecorder, TinyModel, disposeBatches, disposeSnapshot, fixedBatches, maxParamDiff, quietOptions, snapshot } from '../integration/helpers/tiny-model.js';
import type { XY } from '../integration/helpers/tiny-model.js';

let batches: XY[] = [];
let valBatches: XY[] = [];

before(async () => {
  await selectBackend('cpu');
  batches = fixedBatches(3);
  valBatches = fixedBatches(1);
});
after(() => {
  disposeBatches(batches);
  disposeBatches(valBatches);
});

/** The lrs a `StepLR(stepSize 1, gamma 0.5)` on lr 0.1 has after 0, 1, ... n steps, stepped by hand. */
function stepLrSequence(n: number): number[] {
  const opt = new SGD(new Linear(1, 1).parameters(), { lr: 0.1 });
  const sched = new StepLR(opt, { stepSize: 1, gamma: 0.5 });
  const lrs = [sched.getLastLr()[0] as number];
  for (let i = 0; i < n; i++) {
    sched.step();
    lrs.push(sched.getLastLr()[0] as number);
  }
  return lrs;
}

async function fitWith(configure: (m: TinyModel) => OptimizerConfigOutput, options: TrainerOptions = {}, model = new TinyModel(configure)): Promise<{ model: TinyModel; trainer: Trainer; recorder: LrRecorder; moved: number }> {
  const recorder = new LrRecorder();
  const trainer = new Trainer({ ...quietOptions, maxEpochs: 2, ...options, callbacks: [recorder] });
  const initial = snapshot(model);
  await trainer.fit(model, { trainDataloaders: batches });
  const moved = maxParamDiff(model, initial);
  disposeSnapshot(initial);
  return { model, trainer, recorder, moved };
}

const sgd = (m: TinyModel, lr = 0.1): SGD => new SGD(m.parameters(), { lr });
const stepLr = (o: Optimizer): StepLR => new StepLR(o, { stepSize: 1, gamma: 0.5 });

function collectWarnings(): { messages: string[]; restore: () => void } {
  const messages: string[] = [];
  resetWarnings();
  const previous: WarningSink = setWarningSink((code, message) => messages.push(`${code} ${message}`));
  return { messages, restore: () => setWarningSink(previous) };
}

describe('configureOptimizers formats', () => {

  it('a single optimizer steps once per batch', async () => {
    const { trainer, moved, recorder } = await fitWith((m) => sgd(m));
    assert.equal(trainer.optimizers.length, 1);
    assert.equal(trainer.lrSchedulerConfigs.length, 0);
    assert.equal(trainer.globalStep, 6);
    assert.ok(moved > 1e-3);
    assert.deepEqual(recorder.atBatchStart.flat(), [0.1, 0.1, 0.1, 0.1, 0.1, 0.1]);
  });

  it('a list of one optimizer', async () => {
    const { trainer, moved } = await fitWith((m) => [sgd(m)]);
    assert.equal(trainer.optimizers.length, 1);
    assert.equal(trainer.globalStep, 6);
    assert.ok(moved > 1e-3);
  });

  it('[optimizers, schedulers] (a list or a single scheduler) steps epoch-interval schedulers per epoch', async () => {
    const expected = stepLrSequence(3);
    for (const shape of ['list', 'single'] as const) {
      const { trainer, recorder } = await fitWith((m) => {
        const o = sgd(m);
        return shape === 'list' ? [[o], [stepLr(o)]] : [[o], stepLr(o)];
      }, { maxEpochs: 3 });
      assert.equal(trainer.lrSchedulerConfigs.length, 1);
      const config = trainer.lrSchedulerConfigs[0];
      assert.deepEqual({ interval: config?.interval, frequency: config?.frequency, strict: config?.strict, monitor: config?.monitor }, { interval: 'epoch', frequency: 1, strict: true, monitor: undefined });
      assert.deepEqual(recorder.atEpochStart.flat(), expected.slice(0, 3), shape);
      assert.deepEqual(recorder.atBatchStart.flat(), expected.slice(0, 3).flatMap((lr) => [lr, lr, lr]), shape);
      assert.equal(trainer.optimizers[0]?.paramGroups[0]?.lr, expected[3]);
    }
  });

  it('{ optimizer, lrScheduler: scheduler } defaults to interval "epoch", frequency 1', async () => {
    const { recorder, trainer } = await fitWith((m) => {
      const optimizer = sgd(m);
      return { optimizer, lrScheduler: stepLr(optimizer) };
    });
    assert.deepEqual(recorder.atEpochStart.flat(), stepLrSequence(1));
    assert.equal(trainer.optimizers[0]?.paramGroups[0]?.lr, stepLrSequence(2)[2]);
  });

  it('interval "step" steps after every batch, counted over all epochs', async () => {
    const { recorder } = await fitWith((m) => {
      const optimizer = sgd(m);
      return { optimizer, lrScheduler: { scheduler: stepLr(optimizer), interval: 'step' } };
    }, { maxEpochs: 2 });
    assert.deepEqual(recorder.atBatchStart.flat(), stepLrSequence(5));
  });

  it('interval "step" with frequency 2 steps on every second batch index of each epoch', async () => {
    // Lightning counts the frequency on the epoch's batch index: with 3 batches, batch 1 of each epoch steps.
    const { recorder, trainer } = await fitWith((m) => {
      const optimizer = sgd(m);
      return { optimizer, lrScheduler: { scheduler: stepLr(optimizer), interval: 'step', frequency: 2 } };
    }, { maxEpochs: 2 });
    const lr = stepLrSequence(2);
    assert.deepEqual(recorder.atBatchStart.flat(), [lr[0], lr[0], lr[1], lr[1], lr[1], lr[2]]);
    assert.equal(trainer.optimizers[0]?.paramGroups[0]?.lr, lr[2]);
  });

  it('interval "epoch" with frequency 2 steps after every second epoch', async () => {
    const { recorder } = await fitWith((m) => {
      const optimizer = sgd(m);
      return { optimizer, lrScheduler: { scheduler: stepLr(optimizer), frequency: 2 } };
    }, { maxEpochs: 5 });
    const lr = stepLrSequence(2);
    assert.deepEqual(recorder.atEpochStart.flat(), [lr[0], lr[0], lr[1], lr[1], lr[2]]);
  });

  it('a list of dicts gives two optimizers and their schedulers to manual optimization, which steps them itself', async () => {
    const seenLrs: number[][] = [];
    class TwoOptimizers extends TinyModel {
      readonly other = new Linear(4, 1);
      constructor(private readonly stepSchedulers: boolean) {
        super((m) => {
          const a = new SGD(m.layer.parameters(), { lr: 0.1 });
          const b = new SGD((m as TwoOptimizers).other.parameters(), { lr: 0.2 });
          return [{ optimizer: a, lrScheduler: stepLr(a) }, { optimizer: b, lrScheduler: { scheduler: stepLr(b), interval: 'step' } }];
        });
        this.automaticOptimization = false;
      }
      override trainingStep(batch: XY): Scalar {
        const optimizers = this.optimizers();
        const schedulers = this.lrSchedulers();
        assert.equal(optimizers.length, 2);
        assert.equal(schedulers.length, 2);
        seenLrs.push(optimizers.map((o) => o.paramGroups[0]?.lr ?? Number.NaN));
        const [a, b] = [this.optimizer(0), this.optimizer(1)];
        const loss = this.manualBackward(() => this.loss(batch));
        a.step();
        b.step();
        a.zeroGrad();
        b.zeroGrad();
        if (this.stepSchedulers) schedulers[1]?.step();
        return loss;
      }
    }
    const untouched = await fitWith(() => undefined, {}, new TwoOptimizers(false));
    assert.equal(untouched.trainer.optimizers.length, 2);
    // The Trainer never steps schedulers in manual optimization, whatever their interval.
    assert.deepEqual(seenLrs, Array.from({ length: 6 }, () => [0.1, 0.2]));
    seenLrs.length = 0;
    await fitWith(() => undefined, {}, new TwoOptimizers(true));
    const bLrs = seenLrs.map((lrs) => lrs[1] as number);
    assert.deepEqual(bLrs, stepLrSequence(5).map((lr) => lr * 2));
    assert.ok(seenLrs.every((lrs) => lrs[0] === 0.1));
  });

  it('nothing: fit runs every trainingStep without an optimizer', async () => {
    const model = new TinyModel(() => undefined);
    const { trainer, moved } = await fitWith(() => undefined, {}, model);
    assert.equal(model.trainingSteps, 6);
    assert.equal(trainer.optimizers.length, 0);
    assert.equal(moved, 0);
  });

  it('an unknown format or a malformed scheduler config throws a MisconfigurationError with a hint', async () => {
    const cases: Array<[string, (m: TinyModel) => unknown, RegExp]> = [
      ['a number', () => 42, /Unknown configuration for model optimizers: received 42/],
      ['a string in a list', (m) => [sgd(m), 'adam'], /Unknown configuration/],
      ['a dict without an optimizer', (m) => ({ optimizer: 'sgd', lrScheduler: stepLr(sgd(m)) }), /optimizer/],
      ['a scheduler config without a scheduler', (m) => ({ optimizer: sgd(m), lrScheduler: { interval: 'step' } }), /"scheduler" key/],
      ['an unknown interval', (m) => {
        const optimizer = sgd(m);
        return { optimizer, lrScheduler: { scheduler: stepLr(optimizer), interval: 'batch' } };
      }, /interval "batch"/],
      ['frequency 0', (m) => {
        const optimizer = sgd(m);
        return { optimizer, lrScheduler: { scheduler: stepLr(optimizer), frequency: 0 } };
      }, /frequency must be a positive integer; received 0/],
      ['a plateau scheduler without a monitor', (m) => {
        const optimizer = sgd(m);
        return { optimizer, lrScheduler: new ReduceLROnPlateau(optimizer) };
      }, /does not include a monitor/],
    ];
    for (const [label, configure, pattern] of cases) {
      const model = new TinyModel(configure as (m: TinyModel) => OptimizerConfigOutput);
      await assert.rejects(new Trainer({ ...quietOptions, maxEpochs: 1 }).fit(model, { trainDataloaders: batches }), (e: unknown) => {
        assert.ok(e instanceof MisconfigurationError, `${label}: ${String(e)}`);
        assert.match(e.message, pattern, label);
        assert.match(e.message, /hint:/, label);
        return true;
      });
      assert.equal(model.trainingSteps, 0, label);
    }
  });

  it('unknown scheduler-config and dict keys are warned about and ignored', async () => {
    const { messages, restore } = collectWarnings();
    try {
      const { trainer } = await fitWith((m) => {
        const optimizer = sgd(m);
        const lrScheduler = { scheduler: stepLr(optimizer), every: 3 } as unknown as LrSchedulerConfigInput;
        return { optimizer, lrScheduler, scheduler: 'x' } as unknown as OptimizerConfigOutput;
      });
      assert.equal(trainer.lrSchedulerConfigs.length, 1);
    } finally {
      restore();
    }
    assert.ok(messages.some((m) => m.startsWith('LT1101') && m.includes('"every"')), messages.join('\n'));
    assert.ok(messages.some((m) => m.startsWith('LT1102') && m.includes('"scheduler"')), messages.join('\n'));
  });
});

describe('ReduceLROnPlateau with a monitor', () => {

  /** TinyModel with validation that logs a constant val_loss. */
  class PlateauModel extends TinyModel {
    override validationStep(): void {
      this.log('val_loss', 1.5);
    }
  }

  function plateauConfig(monitor: string, strict?: boolean): (m: TinyModel) => OptimizerConfigOutput {
    return (m) => {
      const optimizer = sgd(m);
      const scheduler = new ReduceLROnPlateau(optimizer, { patience: 2, factor: 0.5 });
      return { optimizer, lrScheduler: strict === undefined ? { scheduler, monitor } : { scheduler, monitor, strict } };
    };
  }

  async function fitPlateau(configure: (m: TinyModel) => OptimizerConfigOutput, maxEpochs: number): Promise<{ trainer: Trainer; recorder: LrRecorder }> {
    const recorder = new LrRecorder();
    const trainer = new Trainer({ ...quietOptions, maxEpochs, callbacks: [recorder] });
    await trainer.fit(new PlateauModel(configure), { trainDataloaders: batches, valDataloaders: valBatches });
    return { trainer, recorder };
  }

  it('is stepped after validation with the logged metric: the lr halves after `patience` flat epochs', async () => {
    const { trainer, recorder } = await fitPlateau(plateauConfig('val_loss'), 8);
    // The same scheduler stepped by hand with the constant metric.
    const reference = new ReduceLROnPlateau(new SGD(new Linear(1, 1).parameters(), { lr: 0.1 }), { patience: 2, factor: 0.5 });
    const expected: number[] = [];
    for (let epoch = 0; epoch < 8; epoch++) {
      expected.push(reference.getLastLr()[0] as number);
      reference.step(1.5);
    }
    assert.deepEqual(recorder.atEpochStart.flat(), expected);
    assert.deepEqual(expected, [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025]);
    assert.equal(trainer.optimizers[0]?.paramGroups[0]?.lr, reference.getLastLr()[0]);
  });

  it('strict (default): a monitor that was never logged throws, listing the available metrics', async () => {
    await assert.rejects(fitPlateau(plateauConfig('val_acc'), 2), (e: unknown) => {
      assert.ok(e instanceof MisconfigurationError, String(e));
      assert.match(e.message, /"val_acc"/);
      assert.match(e.message, /Available metrics are: \[val_loss\]/);
      assert.match(e.message, /hint:.*strict: false/);
      return true;
    });
  });

  it('strict: false warns and skips the step', async () => {
    const { messages, restore } = collectWarnings();
    try {
      const { recorder } = await fitPlateau(plateauConfig('val_acc', false), 5);
      assert.deepEqual(recorder.atEpochStart.flat(), [0.1, 0.1, 0.1, 0.1, 0.1]);
    } finally {
      restore();
    }
    assert.ok(messages.some((m) => m.startsWith('LT1401') && m.includes('"val_acc"') && m.includes('skipped')), messages.join('\n'));
  });
});
