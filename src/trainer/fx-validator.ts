/** Where `log()` may be called, and its `onStep`/`onEpoch` defaults per hook (Lightning's `_FxValidator`). */
import { MisconfigurationError } from '../errors.js';

interface FxRule {
  defaultOnStep: boolean;
  defaultOnEpoch: boolean;
  /** When set, the only allowed value. */
  forcedOnStep?: boolean;
  forcedOnEpoch?: boolean;
}

const STEP_LIKE: FxRule = { defaultOnStep: true, defaultOnEpoch: false };
const EVAL_STEP_LIKE: FxRule = { defaultOnStep: false, defaultOnEpoch: true };
const EPOCH_ONLY: FxRule = { defaultOnStep: false, defaultOnEpoch: true, forcedOnStep: false, forcedOnEpoch: true };

const RULES: Readonly<Record<string, FxRule>> = {
  trainingStep: STEP_LIKE,
  onTrainBatchStart: STEP_LIKE,
  onTrainBatchEnd: STEP_LIKE,
  onBeforeBackward: STEP_LIKE,
  backward: STEP_LIKE,
  onAfterBackward: STEP_LIKE,
  onBeforeOptimizerStep: STEP_LIKE,
  optimizerStep: STEP_LIKE,
  configureGradientClipping: STEP_LIKE,
  clipGradients: STEP_LIKE,
  onBeforeZeroGrad: STEP_LIKE,
  optimizerZeroGrad: STEP_LIKE,
  validationStep: EVAL_STEP_LIKE,
  testStep: EVAL_STEP_LIKE,
  onValidationBatchStart: EVAL_STEP_LIKE,
  onValidationBatchEnd: EVAL_STEP_LIKE,
  onTestBatchStart: EVAL_STEP_LIKE,
  onTestBatchEnd: EVAL_STEP_LIKE,
  onTrainStart: EPOCH_ONLY,
  onTrainEpochStart: EPOCH_ONLY,
  onTrainEpochEnd: EPOCH_ONLY,
  onValidationStart: EPOCH_ONLY,
  onValidationEpochStart: EPOCH_ONLY,
  onValidationEpochEnd: EPOCH_ONLY,
  onTestStart: EPOCH_ONLY,
  onTestEpochStart: EPOCH_ONLY,
  onTestEpochEnd: EPOCH_ONLY,
};

/** Hooks in which `log()` is allowed. */
export const LOGGABLE_HOOKS: readonly string[] = Object.keys(RULES);

/** Resolve `onStep`/`onEpoch` for a `log()` call from `fx`, or throw naming the fix. */
export function resolveLogScope(fx: string | undefined, onStep: boolean | undefined, onEpoch: boolean | undefined): { onStep: boolean; onEpoch: boolean } {
  const rule = fx === undefined ? undefined : RULES[fx];
  if (rule === undefined) {
    throw new MisconfigurationError(
      `You can't call this.log() inside ${fx ?? 'this context'}.`,
      `Log from a step or one of the hooks that allow it: ${LOGGABLE_HOOKS.join(', ')}.`,
    );
  }
  const step = onStep ?? rule.defaultOnStep;
  const epoch = onEpoch ?? rule.defaultOnEpoch;
  if (rule.forcedOnStep !== undefined && step !== rule.forcedOnStep) {
    throw new MisconfigurationError(
      `You can't log with onStep: ${step} in ${fx}.`,
      `${fx} runs once per epoch: use onStep: ${rule.forcedOnStep} (or leave it unset).`,
    );
  }
  if (rule.forcedOnEpoch !== undefined && epoch !== rule.forcedOnEpoch) {
    throw new MisconfigurationError(
      `You can't log with onEpoch: ${epoch} in ${fx}.`,
      `${fx} runs once per epoch: use onEpoch: ${rule.forcedOnEpoch} (or leave it unset).`,
    );
  }
  if (!step && !epoch) {
    throw new MisconfigurationError(
      `log() in ${fx} with onStep: false and onEpoch: false would record nothing.`,
      'Set onStep, onEpoch or both to true.',
    );
  }
  return { onStep: step, onEpoch: epoch };
}
