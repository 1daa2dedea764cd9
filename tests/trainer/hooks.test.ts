// Hook order of fit / validate / test / predict / manual optimization against lightning-2.6.md §2.2, in
// COMPLETION order (a hook is recorded when it returns, so `forward` precedes `trainingStep`, and the closure's
// hooks precede `optimizerStep`), exactly as Lightning's own test_hooks.py records it.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { selectBackend } from '../../src/runtime/backend.js';
import type { tf } from '../../src/runtime/tf.js';
import type { Scalar, Tensor } from '../../src/runtime/tf.js';
import { Trainer } from '../../src/trainer/trainer.js';
import type { TrainerOptions } from '../../src/trainer/trainer-options.js';
import { SGD } from '../../src/optim/sgd.js';
import { StepLR } from '../../src/optim/lr-scheduler.js';
import type { OptimizerConfigOutput } from '../../src/core/optimizer-config.js';
import { BoringModel } from '../helpers/boring-model.js';
import { RecordingCallback, recordModule } from '../helpers/hook-recorder.js';

class HookedModel extends BoringModel {
  override configureOptimizers(): OptimizerConfigOutput {
    const optimizer = new SGD(this.layer.parameters(), { lr: 0.1 });
    return [[optimizer], [new StepLR(optimizer, { stepSize: 1 })]];
  }
}

class ManualModel extends BoringModel {
  constructor() {
    super();
    this.automaticOptimization = false;
  }
  override trainingStep(batch: Tensor): Scalar {
    const opt = this.optimizer();
    opt.zeroGrad();
    const loss = this.manualBackward(() => this.loss(this.forward(batch)));
    opt.step(() => {
      calls.push('closure');
    });
    return loss;
  }
}

let calls: string[] = [];
const common: TrainerOptions = {
  maxEpochs: 1, limitTrainBatches: 2, limitValBatches: 2, limitTestBatches: 2, limitPredictBatches: 2,
  enableProgressBar: false, enableModelSummary: false, logger: false, handleSignals: false,
  defaultRootDir: mkdtempSync(join(tmpdir(), 'lts-hooks-')),
};

const transfer = ['onBeforeBatchTransfer', 'transferBatchToDevice', 'onAfterBatchTransfer'];

function evalBatches(noun: 'Validation' | 'Test', step: string, n: number): string[] {
  return Array.from({ length: n }, () => [
    ...transfer, `Callback.on${noun}BatchStart`, `on${noun}BatchStart`, 'forward', step, `Callback.on${noun}BatchEnd`, `on${noun}BatchEnd`,
  ]).flat();
}

function evalRun(noun: 'Validation' | 'Test', step: string, n: number): string[] {
  return [
    'train(false)', `on${noun}ModelEval`, `Callback.on${noun}Start`, `on${noun}Start`, `Callback.on${noun}EpochStart`, `on${noun}EpochStart`,
    ...evalBatches(noun, step, n),
    `Callback.on${noun}EpochEnd`, `on${noun}EpochEnd`, `Callback.on${noun}End`, `on${noun}End`, `on${noun}ModelTrain`,
  ];
}

function autoBatch(last: boolean): string[] {
  return [
    ...transfer, 'Callback.onTrainBatchStart', 'onTrainBatchStart', 'forward', 'trainingStep',
    'Callback.onBeforeZeroGrad', 'onBeforeZeroGrad', 'optimizerZeroGrad',
    'Callback.onBeforeBackward', 'onBeforeBackward', 'backward', 'Callback.onAfterBackward', 'onAfterBackward',
    'Callback.onBeforeOptimizerStep', 'onBeforeOptimizerStep', 'clipGradients', 'configureGradientClipping', 'optimizerStep',
    ...(last ? ['lrSchedulerStep'] : []),
    'Callback.onTrainBatchEnd', 'onTrainBatchEnd',
  ];
}

function manualBatch(): string[] {
  return [
    ...transfer, 'Callback.onTrainBatchStart', 'onTrainBatchStart', 'forward',
    'Callback.onBeforeBackward', 'onBeforeBackward', 'backward', 'Callback.onAfterBackward', 'onAfterBackward', 'manualBackward',
    'closure', 'Callback.onBeforeOptimizerStep', 'onBeforeOptimizerStep', 'trainingStep',
    'Callback.onTrainBatchEnd', 'onTrainBatchEnd',
  ];
}

function fitList(batches: string[]): string[] {
  return [
    'configureCallbacks', 'prepareData', 'Callback.setup', 'setup', 'configureModel', 'configureOptimizers',
    'Callback.onFitStart', 'onFitStart', 'zeroGrad',
    'Callback.onSanityCheckStart', 'valDataloader', ...evalRun('Validation', 'validationStep', 2), 'Callback.onSanityCheckEnd',
    'trainDataloader', 'Callback.onTrainStart', 'onTrainStart', 'Callback.onTrainEpochStart', 'onTrainEpochStart',
    ...batches,
    'zeroGrad', 'onValidationModelZeroGrad', ...evalRun('Validation', 'validationStep', 2),
    'Callback.onTrainEpochEnd', 'onTrainEpochEnd',
    // The default ModelCheckpoint (a monitoring callback, so after the module) saves here:
    'Callback.stateDict', 'Callback.onSaveCheckpoint', 'onSaveCheckpoint',
    'Callback.onTrainEnd', 'onTrainEnd', 'Callback.onFitEnd', 'onFitEnd', 'Callback.teardown', 'teardown',
  ];
}

describe('hook order (completion order, lightning-2.6.md §2.2)', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('fit with automatic optimization', async () => {
    calls = [];
    const model = new HookedModel();
    recordModule(model, calls);
    await new Trainer({ ...common, callbacks: [new RecordingCallback(calls)] }).fit(model);
    assert.deepEqual(calls, fitList([...autoBatch(false), ...autoBatch(true)]));
  });

  it('fit with manual optimization', async () => {
    calls = [];
    const model = new ManualModel();
    recordModule(model, calls);
    await new Trainer({ ...common, callbacks: [new RecordingCallback(calls)] }).fit(model);
    assert.deepEqual(calls, fitList([...manualBatch(), ...manualBatch()]));
  });

  for (const [verb, noun, step] of [['validate', 'Validation', 'validationStep'], ['test', 'Test', 'testStep']] as const) {
    it(verb, async () => {
      calls = [];
      const model = new HookedModel();
      recordModule(model, calls);
      const trainer = new Trainer({ ...common, callbacks: [new RecordingCallback(calls)] });
      await (verb === 'validate' ? trainer.validate(model, { verbose: false }) : trainer.test(model, { verbose: false }));
      assert.deepEqual(calls, [
        'configureCallbacks', 'prepareData', 'Callback.setup', 'setup', 'configureModel', 'zeroGrad',
        verb === 'validate' ? 'valDataloader' : 'testDataloader', ...evalRun(noun, step, 2), 'Callback.teardown', 'teardown',
      ]);
    });
  }

  it('predict', async () => {
    calls = [];
    const model = new HookedModel();
    recordModule(model, calls);
    const out = await new Trainer({ ...common, callbacks: [new RecordingCallback(calls)] }).predict(model);
    assert.equal(out.length, 2);
    const batch = [...transfer, 'Callback.onPredictBatchStart', 'onPredictBatchStart', 'forward', 'predictStep', 'Callback.onPredictBatchEnd', 'onPredictBatchEnd'];
    assert.deepEqual(calls, [
      'configureCallbacks', 'prepareData', 'Callback.setup', 'setup', 'configureModel', 'zeroGrad', 'predictDataloader',
      'train(false)', 'onPredictModelEval', 'Callback.onPredictStart', 'onPredictStart', 'Callback.onPredictEpochStart', 'onPredictEpochStart',
      ...batch, ...batch,
      'Callback.onPredictEpochEnd', 'onPredictEpochEnd', 'Callback.onPredictEnd', 'onPredictEnd', 'Callback.teardown', 'teardown',
    ]);
    for (const t of out) (t as tf.Tensor).dispose();
  });
});
