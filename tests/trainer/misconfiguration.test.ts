// Misconfigurations throw LightningErrors that say what was received and name the fix (a "hint:" line), before or
// as soon as the bad configuration is used — never a silent no-op or a bare TypeError from deep inside a loop.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { EarlyStopping } from '../../src/callbacks/early-stopping.js';
import { ModelCheckpoint } from '../../src/callbacks/model-checkpoint.js';
import type { DataSource } from '../../src/core/hooks.js';
import type { OptimizerConfigOutput } from '../../src/core/optimizer-config.js';
import { LightningError } from '../../src/errors.js';
import { SGD } from '../../src/optim/index.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { tf } from '../../src/runtime/tf.js';
import type { Scalar, Tensor } from '../../src/runtime/tf.js';
import { Trainer } from '../../src/trainer/trainer.js';
import type { TrainerOptions } from '../../src/trainer/trainer-options.js';
import { BoringModel } from '../helpers/boring-model.js';

const quiet: TrainerOptions = {
  accelerator: 'cpu', maxEpochs: 1, limitTrainBatches: 2, limitValBatches: 2, enableProgressBar: false, enableModelSummary: false,
  enableCheckpointing: false, logger: false, handleSignals: false, numSanityValSteps: 0,
};

/** Asserts a LightningError whose message matches every pattern and carries a hint. */
function isLightningError(...patterns: RegExp[]): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof LightningError, `expected a LightningError, got ${String(e)}`);
    assert.match(e.message, /\n {2}hint: \S/);
    assert.ok(e.hint !== undefined && e.hint.length > 0);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  };
}

class ManualModel extends BoringModel {
  constructor() {
    super();
    this.automaticOptimization = false;
  }
  override trainingStep(batch: Tensor): Scalar {
    const opt = this.optimizer();
    const loss = this.manualBackward(() => this.loss(this.forward(batch)));
    opt.step();
    opt.zeroGrad();
    return loss;
  }
}

describe('misconfigurations throw LightningErrors with a hint', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('two optimizers with automatic optimization', async () => {
    class Two extends BoringModel {
      override configureOptimizers(): OptimizerConfigOutput {
        return [new SGD(this.parameters(), { lr: 0.1 }), new SGD(this.parameters(), { lr: 0.2 })];
      }
    }
    await assert.rejects(new Trainer(quiet).fit(new Two()), isLightningError(/returned 2 optimizers/, /automaticOptimization = false/));
  });

  it('an unknown gradientClipAlgorithm, when the Trainer is built', () => {
    assert.throws(() => new Trainer({ gradientClipAlgorithm: 'foo' as never }), isLightningError(/gradientClipAlgorithm must be "norm" or "value"; received "foo"/));
  });

  it('EarlyStopping monitoring a key that is never logged lists what is available', async () => {
    const trainer = new Trainer({ ...quiet, callbacks: [new EarlyStopping({ monitor: 'val_acc' })] });
    await assert.rejects(trainer.fit(new BoringModel()), isLightningError(/"val_acc"/, /val_loss/));
  });

  it('ModelCheckpoint monitoring a key that is never logged lists what is available', async () => {
    const dirpath = mkdtempSync(join(tmpdir(), 'lts-misconf-'));
    const trainer = new Trainer({ ...quiet, enableCheckpointing: true, callbacks: [new ModelCheckpoint({ dirpath, monitor: 'val_acc' })] });
    await assert.rejects(trainer.fit(new BoringModel()), isLightningError(/"val_acc"/, /val_loss/, /this\.log\("val_acc"/));
  });

  it('log() in configureOptimizers and in onFitStart names the hook', async () => {
    class LogsInConfigure extends BoringModel {
      override configureOptimizers(): OptimizerConfigOutput {
        this.log('x', 1);
        return super.configureOptimizers();
      }
    }
    class LogsInFitStart extends BoringModel {
      override onFitStart(): void {
        this.log('x', 1);
      }
    }
    await assert.rejects(new Trainer(quiet).fit(new LogsInConfigure()), isLightningError(/configureOptimizers/));
    await assert.rejects(new Trainer(quiet).fit(new LogsInFitStart()), isLightningError(/onFitStart/));
  });

  it('manual optimization with gradientClipVal, or with accumulateGradBatches', async () => {
    await assert.rejects(new Trainer({ ...quiet, gradientClipVal: 1 }).fit(new ManualModel()), isLightningError(/gradientClipVal/, /manual optimization/, /clipGradients/));
    await assert.rejects(new Trainer({ ...quiet, accumulateGradBatches: 2 }).fit(new ManualModel()), isLightningError(/accumulateGradBatches/, /manual optimization/));
  });

  it('manualBackward() with automatic optimization', async () => {
    class Confused extends BoringModel {
      override trainingStep(batch: Tensor): Scalar {
        return this.manualBackward(() => this.loss(this.forward(batch)));
      }
    }
    await assert.rejects(new Trainer(quiet).fit(new Confused()), isLightningError(/manualBackward\(\)/, /automaticOptimization = false/));
  });

  it('optimizer(i) beyond what configureOptimizers returned', async () => {
    class Greedy extends ManualModel {
      override trainingStep(batch: Tensor): Scalar {
        this.optimizer(1);
        return super.trainingStep(batch);
      }
    }
    await assert.rejects(new Trainer(quiet).fit(new Greedy()), isLightningError(/optimizer\(1\)/, /returned 1 optimizer/));
  });

  it('a trainingStep returning an object without a loss', async () => {
    class NoLoss extends BoringModel {
      override trainingStep(batch: Tensor): Scalar {
        return { value: this.loss(this.forward(batch)) } as unknown as Scalar;
      }
    }
    await assert.rejects(new Trainer(quiet).fit(new NoLoss()), isLightningError(/without a "loss"/));
  });

  it('precision "16-mixed", when the Trainer is built', () => {
    assert.throws(() => new Trainer({ precision: '16-mixed' as never }), isLightningError(/precision "16-mixed"/, /32-true/));
  });

  it('validate() and test() on a module without the step', async () => {
    class TrainOnly extends BoringModel {}
    Object.assign(TrainOnly.prototype, { validationStep: undefined, testStep: undefined });
    await assert.rejects(new Trainer(quiet).validate(new TrainOnly()), isLightningError(/validationStep/));
    await assert.rejects(new Trainer(quiet).test(new TrainOnly()), isLightningError(/testStep/));
  });

  it('limitTrainBatches 0.001 of 32 batches (less than one batch)', async () => {
    const { limitTrainBatches: _omit, ...rest } = quiet;
    await assert.rejects(new Trainer({ ...rest, limitTrainBatches: 0.001 }).fit(new BoringModel()), isLightningError(/limitTrainBatches: 0\.001 of 32 batches is less than one batch/));
  });

  it('a fractional limit on data without a length', async () => {
    function* endless(): Generator<Tensor> {
      for (let i = 0; i < 4; i++) yield tf.randomNormal([2, 32]);
    }
    const { limitTrainBatches: _omit, ...rest } = quiet;
    await assert.rejects(new Trainer({ ...rest, limitTrainBatches: 0.5 }).fit(new BoringModel(), { trainDataloaders: endless() }), isLightningError(/no length/));
  });

  // BUG (reported): toSourceList() hands a non-iterable back as "a list of sources"; its [0] is undefined, so fit
  // trains on zero batches and returns as if it had succeeded.
  for (const bad of [42, { batches: [1, 2] }]) {
    it(`a dataloader hook returning ${JSON.stringify(bad)}, which is not iterable`, async () => {
      class Bad extends BoringModel {
        override trainDataloader(): DataSource<Tensor> {
          return bad as unknown as DataSource<Tensor>;
        }
      }
      await assert.rejects(new Trainer(quiet).fit(new Bad()), isLightningError(/iterable/, /received/));
    });
    it(`trainDataloaders: ${JSON.stringify(bad)} passed to fit()`, async () => {
      await assert.rejects(new Trainer(quiet).fit(new BoringModel(), { trainDataloaders: bad as unknown as DataSource<Tensor> }), isLightningError(/iterable/));
    });
  }

  it('fit() on a module without trainingStep', async () => {
    class NoStep extends BoringModel {}
    Object.assign(NoStep.prototype, { trainingStep: undefined });
    await assert.rejects(new Trainer(quiet).fit(new NoStep()), isLightningError(/trainingStep/));
  });

  it('fit() on a module without any training data', async () => {
    class NoData extends BoringModel {}
    Object.assign(NoData.prototype, { trainDataloader: undefined });
    await assert.rejects(new Trainer(quiet).fit(new NoData()), isLightningError(/trainDataloader/));
  });
});
