/**
 * The platform-neutral public API, shared by the Node entry (`index.ts`) and the browser entry (`browser.ts`):
 * explicit named re-exports of modules that import no Node built-in (checked by `npm run build:browser`).
 */
export {
  LightningError,
  MisconfigurationError,
  BackendError,
  StateDictError,
  CorruptFileError,
  AnomalyError,
} from './errors.js';
export { VERSION } from './version.js';
export { tf, isTensor } from './runtime/tf.js';
export type { Tensor, Scalar, Variable } from './runtime/tf.js';
export { selectBackend, currentBackend, setWasmBinaryUrl } from './runtime/backend.js';
export type { BackendName, BackendChoice } from './runtime/backend.js';
export { valueAndGrads } from './runtime/autograd.js';
export type { ValueAndGrads } from './runtime/autograd.js';
export { seedEverything, getGlobalSeed, isolateRng } from './utilities/seed.js';
export { Generator } from './utilities/random.js';
export { warn, silenceWarning, setWarningSink } from './utilities/warnings.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';

export { LightningModule } from './core/module.js';
export type { LogOptions } from './core/module.js';
export { LightningOptimizer } from './core/lightning-optimizer.js';
export type {
  Awaitable,
  CallbackHooks,
  CallbackLike,
  CheckpointDict,
  DataHooks,
  DataSource,
  DataSources,
  GradientClipAlgorithm,
  LoggableMetric,
  LogValue,
  ModelHooks,
  StepOutput,
  TrainerFn,
  TrainingStepOutput,
} from './core/hooks.js';
export type {
  LrSchedulerConfig,
  LrSchedulerConfigInput,
  OptimizerConfigDict,
  OptimizerConfigOutput,
  SchedulerLike,
} from './core/optimizer-config.js';
export type {
  LoggerLike,
  RunningStage,
  StrategyLike,
  TrainerContext,
  TrainerSettings,
  TrainerState,
  TrainerStatus,
} from './core/trainer-context.js';

export { Trainer } from './trainer/trainer.js';
export type { FitArgs, EvalArgs } from './trainer/trainer.js';
export type { TrainerOptions } from './trainer/trainer-options.js';
export type { PredictionItem } from './trainer/loops/prediction-loop.js';
export { SingleDeviceStrategy } from './strategies/single-device.js';
export { CollectiveError, SingleProcessCollective } from './strategies/collective.js';
export type { Collective, CollectiveArray, CollectiveCallOptions, CollectiveFailure, ReduceOp } from './strategies/collective.js';

export { Callback, generateStateKey } from './callbacks/callback.js';
export { ModelCheckpoint } from './callbacks/model-checkpoint.js';
export type { ModelCheckpointOptions } from './callbacks/model-checkpoint.js';
export { EarlyStopping } from './callbacks/early-stopping.js';
export type { EarlyStoppingOptions, EarlyStoppingReason } from './callbacks/early-stopping.js';
export { OnExceptionCheckpoint } from './callbacks/on-exception-checkpoint.js';
export { ProgressBarBase } from './callbacks/progress/progress-bar-base.js';
export { ProgressBar } from './callbacks/progress/progress-bar.js';
export type { ProgressBarOptions } from './callbacks/progress/progress-bar.js';
export { PlainLineRenderer, formatPlainLine } from './callbacks/progress/renderer.js';
export type { BarState, ProgressRenderer, ProgressStream } from './callbacks/progress/renderer.js';
export { ModelSummary } from './callbacks/model-summary.js';
export type { ModelSummaryOptions } from './callbacks/model-summary.js';
export { formatSummaryTable, summarize } from './callbacks/layer-summary.js';
export type { LayerSummary, ModelSummaryData, SummaryShape } from './callbacks/layer-summary.js';
export { LearningRateMonitor } from './callbacks/lr-monitor.js';
export type { LearningRateMonitorOptions } from './callbacks/lr-monitor.js';
export { Timer } from './callbacks/timer.js';
export type { TimerOptions } from './callbacks/timer.js';
export { GradientAccumulationScheduler, isAccumulationSchedule } from './callbacks/gradient-accumulation-scheduler.js';
export type { AccumulationSchedule } from './callbacks/gradient-accumulation-scheduler.js';
export { LambdaCallback } from './callbacks/lambda-callback.js';
export { BasePredictionWriter, JsonlPredictionWriter, toPlain } from './callbacks/prediction-writer.js';
export type { JsonlPredictionWriterOptions, WriteInterval, WrittenPrediction } from './callbacks/prediction-writer.js';
export { EMAWeightAveraging, StochasticWeightAveraging, WeightAveraging } from './callbacks/weight-averaging.js';
export type { EMAWeightAveragingOptions, StochasticWeightAveragingOptions } from './callbacks/weight-averaging.js';
export { ThroughputMonitor } from './callbacks/throughput-monitor.js';
export type { ThroughputMonitorOptions } from './callbacks/throughput-monitor.js';
export { DeviceStatsMonitor } from './callbacks/device-stats-monitor.js';
export type { DeviceStatsMonitorOptions } from './callbacks/device-stats-monitor.js';
export { PassThroughProfiler, SimpleProfiler, AdvancedProfiler, timeCall } from './profilers/index.js';
export type { Profiler, ActionStats, ProfileWriter, SimpleProfilerOptions, AdvancedProfilerOptions, CpuProfilerBackend } from './profilers/index.js';
export { Tuner, LearningRateFinder, BatchSizeFinder, LrFinderResult, isOutOfMemoryError, searchBatchSize } from './tuner/index.js';
export type {
  LrFindOptions,
  ScaleBatchSizeOptions,
  LearningRateFinderOptions,
  LrFinderOptions,
  BatchSizeFinderOptions,
  BatchSizeSearchOptions,
  BatchSizeTrial,
  TunerData,
} from './tuner/index.js';

export {
  BaseLogger,
  CSVLogger,
  TensorBoardLogger,
  JsonlLogger,
  InMemoryLogger,
  ConsoleLogger,
  DummyLogger,
  MemoryLogFileSystem,
  readCsvMetrics,
  readJsonl,
  saveHparamsToYaml,
  loadHparamsFromYaml,
} from './loggers/index.js';
export type {
  Logger,
  LoggerStatus,
  CheckpointInfo,
  LogFileSystem,
  CSVLoggerOptions,
  TensorBoardLoggerOptions,
  JsonlLoggerOptions,
  JsonlRecord,
  InMemoryLoggerOptions,
  ConsoleLoggerOptions,
  MetricsRow,
} from './loggers/index.js';

export {
  saveCheckpoint,
  loadCheckpoint,
  saveStateDictFile,
  loadStateDictFile,
  disposeCheckpoint,
  serializeCheckpoint,
  deserializeCheckpoint,
  readStateDict,
  serializeStateDict,
  migrateCheckpoint,
  CHECKPOINT_FORMAT_VERSION,
  UnsupportedCheckpointVersionError,
} from './checkpoint/index.js';
export type { CheckpointDocument, CheckpointIO, CheckpointValue, LoadCheckpointOptions } from './checkpoint/index.js';
export { checkpointIO, setCheckpointIO } from './checkpoint/default-io.js';
export { checkpointToBlob, downloadCheckpoint, importCheckpointFile } from './checkpoint/checkpoint-files.js';
export type { CheckpointFileOptions } from './checkpoint/checkpoint-files.js';
export { UIProgressCallback } from './callbacks/index.js';
export type { UIProgressCallbackOptions, UIProgressEvent, UIProgressStage } from './callbacks/index.js';
export { MemoryCheckpointIO, IndexedDBCheckpointIO } from './checkpoint/index.js';
export type { CheckpointLoadOptions, IndexedDBCheckpointIOOptions } from './checkpoint/index.js';

export {
  DataLoader,
  TensorDataset,
  ConcatDataset,
  Subset,
  randomSplit,
  CsvDataset,
  SequentialSampler,
  RandomSampler,
  WeightedRandomSampler,
  DistributedSampler,
} from './data/portable.js';
export type { DataLoaderOptions, Dataset, MapDataset, IterableDataset } from './data/portable.js';
export { LightningDataModule } from './core/datamodule.js';

export * as metrics from './metrics/index.js';
export {
  Metric,
  MetricCollection,
  MeanMetric,
  SumMetric,
  MaxMetric,
  MinMetric,
  CatMetric,
  RunningMean,
  Accuracy,
  Precision,
  Recall,
  Specificity,
  FBetaScore,
  F1Score,
  ConfusionMatrix,
  MatthewsCorrCoef,
  CohenKappa,
  AUROC,
  AveragePrecision,
  ROC,
  PrecisionRecallCurve,
  CalibrationError,
  MeanSquaredError,
  MeanAbsoluteError,
  MeanAbsolutePercentageError,
  R2Score,
  ExplainedVariance,
  PearsonCorrCoef,
  SpearmanCorrCoef,
  CosineSimilarity,
} from './metrics/index.js';
