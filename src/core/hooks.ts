/**
 * Typed hook interfaces shared by the LightningModule, the DataModule and callbacks. Hooks that run inside the
 * gradient computation or the optimizer step are synchronous (TF.js records a closure's tape synchronously); the
 * others may return a promise, which the Trainer awaits in order.
 */
import type { Scalar, Tensor } from '../runtime/tf.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Module } from '../nn/module.js';
import type { TrainerContext } from './trainer-context.js';

/** A value or a promise of it. */
export type Awaitable<T> = T | Promise<T>;

/** What the Trainer is running: `fit`, `validate`, `test` or `predict`. */
export type TrainerFn = 'fit' | 'validate' | 'test' | 'predict';

/** Gradient clipping algorithm. */
export type GradientClipAlgorithm = 'norm' | 'value';

/**
 * What `trainingStep` may return: a loss, an object with a `loss`, or nothing to skip the batch. The loss must be a
 * scalar (checked when it is differentiated); it is typed `Tensor` because TF.js reductions return `Tensor`.
 */
export type TrainingStepOutput = Tensor | ({ loss: Tensor } & Record<string, unknown>) | null | undefined | void;

/** The normalised output of a training batch that `onTrainBatchEnd` receives (`{ loss, ...extras }`). */
export type StepOutput = Record<string, unknown> & { loss?: Scalar };

/** The checkpoint document hooks see and may extend (the checkpoint module defines its file format). */
export type CheckpointDict = Record<string, unknown>;

/** Something the Trainer can iterate for batches: an (async) iterable, optionally with a length and state. */
export type DataSource<B = unknown> = (AsyncIterable<B> | Iterable<B>) & {
  /** Number of batches, when known. */
  readonly length?: number | undefined;
  /** Called at the start of every epoch so shuffles differ per epoch. */
  setEpoch?(epoch: number): void;
  /** Position and RNG state for exact mid-epoch resume. */
  stateDict?(): unknown;
  /** Restore what `stateDict` returned. */
  loadStateDict?(state: unknown): void;
};

/** One or several data sources. */
export type DataSources<B = unknown> = DataSource<B> | Array<DataSource<B>>;

/** Hooks shared by the LightningModule and the LightningDataModule. */
export interface DataHooks<B = unknown> {
  /** Download or write data once per node; do not set state here. */
  prepareData?(): Awaitable<void>;
  /** Build datasets and state for a stage, on every process. */
  setup?(stage: TrainerFn): Awaitable<void>;
  /** Release what `setup` built. */
  teardown?(stage: TrainerFn): Awaitable<void>;
  /** The training data. */
  trainDataloader?(): Awaitable<DataSources<B>>;
  /** The validation data (one source or several). */
  valDataloader?(): Awaitable<DataSources<B>>;
  /** The test data (one source or several). */
  testDataloader?(): Awaitable<DataSources<B>>;
  /** The prediction data (one source or several). */
  predictDataloader?(): Awaitable<DataSources<B>>;
  /** Change a batch before it is moved to the device. */
  onBeforeBatchTransfer?(batch: B, dataloaderIdx: number): B;
  /** Move a batch to the device (a no-op on CPU backends; override for custom batch types). */
  transferBatchToDevice?(batch: B, device: string, dataloaderIdx: number): B;
  /** Change a batch after it was moved to the device. */
  onAfterBatchTransfer?(batch: B, dataloaderIdx: number): B;
}

/** LightningModule hooks called around the loops (all optional). */
export interface ModelHooks<B = unknown> {
  onFitStart?(): Awaitable<void>;
  onFitEnd?(): Awaitable<void>;
  onTrainStart?(): Awaitable<void>;
  onTrainEnd?(): Awaitable<void>;
  onValidationStart?(): Awaitable<void>;
  onValidationEnd?(): Awaitable<void>;
  onTestStart?(): Awaitable<void>;
  onTestEnd?(): Awaitable<void>;
  onPredictStart?(): Awaitable<void>;
  onPredictEnd?(): Awaitable<void>;
  /** Return -1 to end the current training epoch early. */
  onTrainBatchStart?(batch: B, batchIdx: number): Awaitable<number | void>;
  onTrainBatchEnd?(outputs: StepOutput, batch: B, batchIdx: number): Awaitable<void>;
  onValidationBatchStart?(batch: B, batchIdx: number, dataloaderIdx: number): Awaitable<void>;
  onValidationBatchEnd?(outputs: unknown, batch: B, batchIdx: number, dataloaderIdx: number): Awaitable<void>;
  onTestBatchStart?(batch: B, batchIdx: number, dataloaderIdx: number): Awaitable<void>;
  onTestBatchEnd?(outputs: unknown, batch: B, batchIdx: number, dataloaderIdx: number): Awaitable<void>;
  onPredictBatchStart?(batch: B, batchIdx: number, dataloaderIdx: number): Awaitable<void>;
  onPredictBatchEnd?(outputs: unknown, batch: B, batchIdx: number, dataloaderIdx: number): Awaitable<void>;
  onTrainEpochStart?(): Awaitable<void>;
  onTrainEpochEnd?(): Awaitable<void>;
  onValidationEpochStart?(): Awaitable<void>;
  onValidationEpochEnd?(): Awaitable<void>;
  onTestEpochStart?(): Awaitable<void>;
  onTestEpochEnd?(): Awaitable<void>;
  onPredictEpochStart?(): Awaitable<void>;
  onPredictEpochEnd?(): Awaitable<void>;
  onBeforeZeroGrad?(optimizer: Optimizer): void;
  onBeforeBackward?(loss: Scalar): void;
  onAfterBackward?(): void;
  onBeforeOptimizerStep?(optimizer: Optimizer): void;
  onSaveCheckpoint?(checkpoint: CheckpointDict): Awaitable<void>;
  onLoadCheckpoint?(checkpoint: CheckpointDict): Awaitable<void>;
  onException?(error: unknown): Awaitable<void>;
}

/** Callback hooks: each receives the trainer's context and the module first (Lightning's `trainer, pl_module`). */
export interface CallbackHooks<M extends Module = Module, B = unknown> {
  setup?(trainer: TrainerContext, module: M, stage: TrainerFn): Awaitable<void>;
  teardown?(trainer: TrainerContext, module: M, stage: TrainerFn): Awaitable<void>;
  onFitStart?(trainer: TrainerContext, module: M): Awaitable<void>;
  onFitEnd?(trainer: TrainerContext, module: M): Awaitable<void>;
  onSanityCheckStart?(trainer: TrainerContext, module: M): Awaitable<void>;
  onSanityCheckEnd?(trainer: TrainerContext, module: M): Awaitable<void>;
  onTrainStart?(trainer: TrainerContext, module: M): Awaitable<void>;
  onTrainEnd?(trainer: TrainerContext, module: M): Awaitable<void>;
  onValidationStart?(trainer: TrainerContext, module: M): Awaitable<void>;
  onValidationEnd?(trainer: TrainerContext, module: M): Awaitable<void>;
  onTestStart?(trainer: TrainerContext, module: M): Awaitable<void>;
  onTestEnd?(trainer: TrainerContext, module: M): Awaitable<void>;
  onPredictStart?(trainer: TrainerContext, module: M): Awaitable<void>;
  onPredictEnd?(trainer: TrainerContext, module: M): Awaitable<void>;
  onTrainEpochStart?(trainer: TrainerContext, module: M): Awaitable<void>;
  onTrainEpochEnd?(trainer: TrainerContext, module: M): Awaitable<void>;
  onValidationEpochStart?(trainer: TrainerContext, module: M): Awaitable<void>;
  onValidationEpochEnd?(trainer: TrainerContext, module: M): Awaitable<void>;
  onTestEpochStart?(trainer: TrainerContext, module: M): Awaitable<void>;
  onTestEpochEnd?(trainer: TrainerContext, module: M): Awaitable<void>;
  onPredictEpochStart?(trainer: TrainerContext, module: M): Awaitable<void>;
  onPredictEpochEnd?(trainer: TrainerContext, module: M): Awaitable<void>;
  onTrainBatchStart?(trainer: TrainerContext, module: M, batch: B, batchIdx: number): Awaitable<void>;
  onTrainBatchEnd?(trainer: TrainerContext, module: M, outputs: StepOutput, batch: B, batchIdx: number): Awaitable<void>;
  onValidationBatchStart?(trainer: TrainerContext, module: M, batch: B, batchIdx: number, dataloaderIdx: number): Awaitable<void>;
  onValidationBatchEnd?(trainer: TrainerContext, module: M, outputs: unknown, batch: B, batchIdx: number, dataloaderIdx: number): Awaitable<void>;
  onTestBatchStart?(trainer: TrainerContext, module: M, batch: B, batchIdx: number, dataloaderIdx: number): Awaitable<void>;
  onTestBatchEnd?(trainer: TrainerContext, module: M, outputs: unknown, batch: B, batchIdx: number, dataloaderIdx: number): Awaitable<void>;
  onPredictBatchStart?(trainer: TrainerContext, module: M, batch: B, batchIdx: number, dataloaderIdx: number): Awaitable<void>;
  onPredictBatchEnd?(trainer: TrainerContext, module: M, outputs: unknown, batch: B, batchIdx: number, dataloaderIdx: number): Awaitable<void>;
  onException?(trainer: TrainerContext, module: M, error: unknown): Awaitable<void>;
  onSaveCheckpoint?(trainer: TrainerContext, module: M, checkpoint: CheckpointDict): Awaitable<void>;
  onLoadCheckpoint?(trainer: TrainerContext, module: M, checkpoint: CheckpointDict): Awaitable<void>;
  onBeforeBackward?(trainer: TrainerContext, module: M, loss: Scalar): void;
  onAfterBackward?(trainer: TrainerContext, module: M): void;
  onBeforeOptimizerStep?(trainer: TrainerContext, module: M, optimizer: Optimizer): void;
  onBeforeZeroGrad?(trainer: TrainerContext, module: M, optimizer: Optimizer): void;
}

/** What the Trainer needs from a callback besides its hooks (the `Callback` base class provides it). */
export interface CallbackLike extends CallbackHooks {
  /** Key of this callback's state in checkpoints (unique per instance configuration). */
  readonly stateKey: string;
  /** Checkpoint callbacks run last in every hook; monitoring callbacks run after the module in `onTrainEpochEnd`. */
  readonly kind?: 'tuner' | 'checkpoint' | 'monitor' | 'other';
  /** State saved in checkpoints (empty object: nothing saved). */
  stateDict?(): Record<string, unknown>;
  /** Restore state saved by `stateDict`. */
  loadStateDict?(state: Record<string, unknown>): void;
}

/** A tensor or number that `log()` accepts, or a metric object it computes and resets at epoch end. */
export type LogValue = number | Tensor | LoggableMetric;

/** The part of a metric object that `log()` uses (the `Metric` classes of `metrics/` implement it). */
export interface LoggableMetric {
  /** The value over everything accumulated since the last reset. */
  compute(): unknown;
  /** Clear the accumulated state. */
  reset(): void;
  /** The value of the last `forward` call (the batch value logged when `onStep` is on). */
  readonly lastForwardValue?: unknown;
}
