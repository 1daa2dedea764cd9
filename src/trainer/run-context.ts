/** What the loops of one Trainer run share: the module, hooks, logging, counters and optimization objects. */
import type { DataHooks, DataSource } from '../core/hooks.js';
import type { LightningOptimizer } from '../core/lightning-optimizer.js';
import type { LightningModule } from '../core/module.js';
import type { LrSchedulerConfig } from '../core/optimizer-config.js';
import type { RunningStage, TrainerContext } from '../core/trainer-context.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { HookDispatcher } from './hook-dispatcher.js';
import type { LoggerConnector } from './logger-connector.js';
import type { FitProgress } from './loops/progress.js';
import type { ResolvedTrainerOptions } from './trainer-options.js';
import type { RestartInfo } from './checkpoint-restore.js';

/** Dataloaders passed to fit/validate/test/predict directly (they take precedence over hooks). */
export interface ExplicitLoaders {
  train?: Array<DataSource>;
  val?: Array<DataSource>;
  test?: Array<DataSource>;
  predict?: Array<DataSource>;
}

/** Shared state of one run. */
export interface RunContext {
  readonly trainer: TrainerContext;
  readonly options: Readonly<ResolvedTrainerOptions>;
  readonly module: LightningModule;
  readonly datamodule: DataHooks | undefined;
  readonly dispatcher: HookDispatcher;
  readonly connector: LoggerConnector;
  readonly progress: FitProgress;
  readonly explicitLoaders: ExplicitLoaders;
  readonly device: string;
  optimizers: Optimizer[];
  lightningOptimizers: LightningOptimizer[];
  lrSchedulerConfigs: LrSchedulerConfig[];
  /** Set the running stage (updates `trainer.state.stage` and the stage flags). */
  setStage(stage: RunningStage | undefined): void;
  /** Set when SIGINT/SIGTERM arrived: finish the batch, then stop. */
  readonly interruptRequested: boolean;
  /** The training dataloader of this fit (set when the fit loop requests it). */
  trainLoader: DataSource | undefined;
  /** Training data requested early (by `estimatedSteppingBatches` in `configureOptimizers`), used by the fit loop. */
  earlyTrainLoaders: Promise<DataSource[]> | DataSource[] | undefined;
  /** Set when fit resumes from a checkpoint. */
  restart: RestartInfo | undefined;
  /** Cached validation dataloaders of this fit (requested lazily, once unless reloading). */
  valLoaders: Array<DataSource> | undefined;
  /** Batch counts the progress bar and callbacks read. */
  numTrainingBatches: number;
  numValBatches: number[];
  numSanityValBatches: number[];
  numTestBatches: number[];
  numPredictBatches: number[];
  /** Batches accumulated per optimizer step in the current epoch (`accumulateGradBatches` or a schedule callback). */
  accumulationFactor(): number;
  /** Tensors to free when the current batch ends (e.g. manualBackward losses). */
  readonly batchDisposables: Array<{ dispose(): void }>;
}
