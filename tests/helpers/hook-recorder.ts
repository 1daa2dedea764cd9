// Records every hook and method call of a module and a callback, in completion order (like Lightning's test_hooks.py).
import { Callback } from '../../src/callbacks/callback.js';
import type { LightningModule } from '../../src/core/module.js';

export const MODULE_METHODS = [
  'configureCallbacks', 'prepareData', 'setup', 'teardown', 'configureModel', 'configureOptimizers',
  'onFitStart', 'onFitEnd', 'onTrainStart', 'onTrainEnd', 'onValidationStart', 'onValidationEnd', 'onTestStart', 'onTestEnd',
  'onPredictStart', 'onPredictEnd', 'onTrainBatchStart', 'onTrainBatchEnd', 'onValidationBatchStart', 'onValidationBatchEnd',
  'onTestBatchStart', 'onTestBatchEnd', 'onPredictBatchStart', 'onPredictBatchEnd', 'onTrainEpochStart', 'onTrainEpochEnd',
  'onValidationEpochStart', 'onValidationEpochEnd', 'onTestEpochStart', 'onTestEpochEnd', 'onPredictEpochStart', 'onPredictEpochEnd',
  'onBeforeZeroGrad', 'onBeforeBackward', 'onAfterBackward', 'onBeforeOptimizerStep', 'onSaveCheckpoint', 'onLoadCheckpoint',
  'onValidationModelZeroGrad', 'onValidationModelEval', 'onValidationModelTrain', 'onTestModelEval', 'onTestModelTrain', 'onPredictModelEval',
  'onBeforeBatchTransfer', 'transferBatchToDevice', 'onAfterBatchTransfer',
  'trainDataloader', 'valDataloader', 'testDataloader', 'predictDataloader',
  'forward', 'trainingStep', 'validationStep', 'testStep', 'predictStep', 'configureGradientClipping', 'clipGradients',
  'optimizerStep', 'optimizerZeroGrad', 'lrSchedulerStep', 'backward', 'manualBackward', 'zeroGrad', 'train',
] as const;

export const CALLBACK_HOOKS = [
  'setup', 'teardown', 'onFitStart', 'onFitEnd', 'onSanityCheckStart', 'onSanityCheckEnd', 'onTrainStart', 'onTrainEnd',
  'onValidationStart', 'onValidationEnd', 'onTestStart', 'onTestEnd', 'onPredictStart', 'onPredictEnd', 'onTrainEpochStart',
  'onTrainEpochEnd', 'onValidationEpochStart', 'onValidationEpochEnd', 'onTestEpochStart', 'onTestEpochEnd', 'onPredictEpochStart',
  'onPredictEpochEnd', 'onTrainBatchStart', 'onTrainBatchEnd', 'onValidationBatchStart', 'onValidationBatchEnd', 'onTestBatchStart',
  'onTestBatchEnd', 'onPredictBatchStart', 'onPredictBatchEnd', 'onException', 'onSaveCheckpoint', 'onLoadCheckpoint',
  'onBeforeBackward', 'onAfterBackward', 'onBeforeOptimizerStep', 'onBeforeZeroGrad', 'stateDict', 'loadStateDict',
] as const;

type Fn = (...args: unknown[]) => unknown;

const OPTIONAL_BEHAVIOUR: readonly string[] = [
  'trainingStep', 'validationStep', 'testStep', 'trainDataloader', 'valDataloader', 'testDataloader', 'predictDataloader', 'configureOptimizers',
];

function record(calls: string[], name: string, original: Fn | undefined, self: object): Fn {
  return function (this: unknown, ...args: unknown[]): unknown {
    const label = name === 'train' ? `train(${args[0] === false ? 'false' : 'true'})` : name;
    // Transfer hooks the module does not define pass the batch through, as the defaults do.
    const r: unknown = original === undefined ? (/BatchTransfer$|ToDevice$/.test(name) ? args[0] : undefined) : original.apply(self, args);
    if (r instanceof Promise) return r.then((v: unknown) => (calls.push(label), v));
    calls.push(label);
    return r;
  };
}

/** Wrap every method of `module` (defining no-op hooks where the module has none) so calls are recorded. */
export function recordModule(module: LightningModule<unknown>, calls: string[], skip: readonly string[] = []): void {
  const target = module as unknown as Record<string, Fn | undefined>;
  for (const name of MODULE_METHODS) {
    if (skip.includes(name)) continue;
    const original = target[name];
    // Steps, dataloaders and configureOptimizers that the module lacks stay absent (they change what the Trainer does).
    if (original === undefined && OPTIONAL_BEHAVIOUR.includes(name)) continue;
    target[name] = record(calls, name, original, module);
  }
}

/** A callback that records each hook as `Callback.<hook>`. */
export class RecordingCallback extends Callback {
  constructor(readonly calls: string[]) {
    super();
    const target = this as unknown as Record<string, Fn | undefined>;
    for (const hook of CALLBACK_HOOKS) {
      const original = target[hook];
      target[hook] = record(calls, `Callback.${hook}`, original, this);
    }
  }
}
