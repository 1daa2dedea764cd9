/**
 * `Trainer`: the facade that runs a LightningModule through fit / validate / test / predict. It wires the parts
 * (run, loops, logging, strategy) and owns no loop logic itself.
 */
import { LightningError, MisconfigurationError } from '../errors.js';
import type { CallbackLike, CheckpointDict, DataHooks, DataSource, DataSources, TrainerFn } from '../core/hooks.js';
import type { LightningModule } from '../core/module.js';
import type { LrSchedulerConfig } from '../core/optimizer-config.js';
import type { LoggerLike, RunningStage, StrategyLike, TrainerContext, TrainerSettings, TrainerState } from '../core/trainer-context.js';
import type { Optimizer } from '../optim/optimizer.js';
import { platform } from '../platform/platform.js';
import { selectBackend } from '../runtime/backend.js';
import { SingleDeviceStrategy } from '../strategies/single-device.js';
import { AdvancedProfiler, SimpleProfiler } from '../profilers/index.js';
import { warn } from '../utilities/warnings.js';
import { toSourceList } from './data-connector.js';
import { LoggerConnector } from './logger-connector.js';
import { FitLoop } from './loops/fit-loop.js';
import { FitProgress } from './loops/progress.js';
import { runEvaluation, evalBatchCounts } from './loops/evaluation-loop.js';
import { streamPredictions } from './loops/prediction-loop.js';
import type { PredictionItem } from './loops/prediction-loop.js';
import { formatResultsTable } from './results-table.js';
import { TrainerRun } from './run.js';
import type { ExplicitLoaders } from './run-context.js';
import { resolveTrainerOptions } from './trainer-options.js';
import type { ResolvedTrainerOptions, TrainerOptions } from './trainer-options.js';
import { requestDataloaders } from './data-connector.js';
import { logHyperparams, resolveLoggers, startDashboardFor } from './trainer-loggers.js';
import { defaultCallbacks } from './default-callbacks.js';
import { ModelCheckpoint } from '../callbacks/model-checkpoint.js';
import { ProgressBar } from '../callbacks/progress/progress-bar.js';
import { distributeSources, rankZeroLogger, resolveStrategy } from './strategy-connector.js';
import { dumpCheckpoint, writeCheckpoint } from './trainer-checkpoint.js';
import { disposeCheckpoint } from '../checkpoint/document.js';
import { readCheckpoint, resolveCkptPath, restoreModulesAndCallbacks, restoreTrainingState } from './checkpoint-restore.js';

/** Data and checkpoint arguments of `fit`. */
export interface FitArgs<B = unknown> {
  trainDataloaders?: DataSources<B>;
  valDataloaders?: DataSources<B>;
  datamodule?: DataHooks<B>;
  ckptPath?: string;
}

/** Data arguments of `validate`, `test` and `predict`. */
export interface EvalArgs<B = unknown> {
  dataloaders?: DataSources<B>;
  datamodule?: DataHooks<B>;
  ckptPath?: string;
  /** Print the results table. Default: true. */
  verbose?: boolean;
}

/**
 * Automates the engineering around a LightningModule: loops, hooks, logging, checkpoints and callbacks.
 *
 * @example
 * const trainer = new Trainer({ maxEpochs: 5 });
 * await trainer.fit(new LitModel(), { datamodule: new MnistDataModule() });
 * await trainer.test(undefined, { datamodule });
 */
export class Trainer implements TrainerContext {
  /** Options after defaults. */
  readonly options: Readonly<ResolvedTrainerOptions>;
  readonly state: TrainerState = { fn: undefined, status: 'initializing', stage: undefined };
  private strategyValue: StrategyLike = new SingleDeviceStrategy();
  private strategyResolved = false;
  readonly loggers: readonly LoggerLike[];
  private progress = new FitProgress();
  private readonly connector: LoggerConnector;
  private run: TrainerRun | undefined;
  private module: LightningModule | undefined;
  private stopRequested = false;
  private backendReported = false;
  private dashboardStarted = false;
  private readonly callbackList: CallbackLike[];

  constructor(options: TrainerOptions = {}) {
    this.options = resolveTrainerOptions(options);
    this.callbackList = defaultCallbacks(this.options);
    this.loggers = resolveLoggers(this.options);
    this.connector = new LoggerConnector(this.loggers, () => this.currentEpoch, () => this.progress.batchesThatStepped);
    this.connector.enabled = !this.options.barebones;
  }

  get settings(): TrainerSettings {
    return this.options;
  }

  get currentEpoch(): number {
    return this.progress.epoch.current.completed;
  }

  get globalStep(): number {
    return this.progress.globalStep;
  }

  get shouldStop(): boolean {
    return this.stopRequested;
  }

  set shouldStop(value: boolean) {
    this.stopRequested = value;
  }

  get sanityChecking(): boolean {
    return this.state.stage === 'sanity_check';
  }

  get training(): boolean {
    return this.state.stage === 'train';
  }

  get validating(): boolean {
    return this.state.stage === 'validate';
  }

  get testing(): boolean {
    return this.state.stage === 'test';
  }

  get predicting(): boolean {
    return this.state.stage === 'predict';
  }

  get isLastBatch(): boolean {
    return this.progress.isLastBatch;
  }

  get callbackMetrics(): Readonly<Record<string, number>> {
    return this.connector.callbackMetrics;
  }

  get loggedMetrics(): Readonly<Record<string, number>> {
    return this.connector.loggedMetrics;
  }

  get progressBarMetrics(): Readonly<Record<string, number>> {
    return this.connector.progressBarMetrics;
  }

  get numTrainingBatches(): number {
    return this.run?.numTrainingBatches ?? 0;
  }

  get numSanityValBatches(): number[] {
    return this.run?.numSanityValBatches ?? [];
  }

  get numValBatches(): number[] {
    return this.run?.numValBatches ?? [];
  }

  get numTestBatches(): number[] {
    return this.run?.numTestBatches ?? [];
  }

  get numPredictBatches(): number[] {
    return this.run?.numPredictBatches ?? [];
  }

  /** Optimizer steps the whole fit will take (capped by `maxSteps`; Infinity when unbounded). */
  get estimatedSteppingBatches(): number {
    const { accumulateGradBatches, maxEpochs, maxSteps } = this.options;
    const batches = this.state.fn === 'fit' ? this.run?.earlyTrainingBatches() : this.numTrainingBatches;
    if (batches === undefined) {
      warn('LT1801', 'estimatedSteppingBatches needs the number of training batches, but trainDataloader() is async; it returns maxSteps (or Infinity) here.');
      return maxSteps === -1 ? Number.POSITIVE_INFINITY : maxSteps;
    }
    const perEpoch = Math.ceil(batches / accumulateGradBatches);
    const total = maxEpochs === -1 ? Number.POSITIVE_INFINITY : perEpoch * Math.max(maxEpochs, 1);
    return maxSteps === -1 ? total : Math.min(total, maxSteps);
  }

  get optimizers(): readonly Optimizer[] {
    return this.run?.optimizers ?? [];
  }

  get lrSchedulerConfigs(): readonly LrSchedulerConfig[] {
    return this.run?.lrSchedulerConfigs ?? [];
  }

  /** The datamodule of the current call, if one was given. */
  get datamodule(): DataHooks | undefined {
    return this.run?.datamodule;
  }

  /** The training dataloader the current fit iterates (set once the fit loop requested it). */
  get trainDataloader(): DataSource | undefined {
    return this.run?.trainLoader;
  }

  /** The training dataloaders passed to the current `fit` directly, if any. */
  get trainDataloaders(): DataSource[] | undefined {
    return this.run?.explicitLoaders.train;
  }

  get lightningModule(): LightningModule {
    if (this.module === undefined) throw new LightningError('No LightningModule is attached to this Trainer.', 'Call trainer.fit(model) first.');
    return this.module;
  }

  get callbacks(): readonly CallbackLike[] {
    return this.run?.dispatcher.callbacks ?? this.callbackList;
  }

  get logger(): LoggerLike | undefined {
    return this.loggers[0];
  }

  get logDir(): string {
    return this.logger?.logDir ?? this.options.defaultRootDir;
  }

  /** The first `ModelCheckpoint` among the callbacks (Lightning's `trainer.checkpoint_callback`). */
  get checkpointCallback(): ModelCheckpoint | undefined {
    return this.callbacks.find((c): c is ModelCheckpoint => c instanceof ModelCheckpoint);
  }

  /** Every `ModelCheckpoint` among the callbacks. */
  get checkpointCallbacks(): ModelCheckpoint[] {
    return this.callbacks.filter((c): c is ModelCheckpoint => c instanceof ModelCheckpoint);
  }

  /** The strategy (single device until the first call resolves a data-parallel one). */
  get strategy(): StrategyLike {
    return this.strategyValue;
  }

  get globalRank(): number {
    return this.strategyValue.globalRank;
  }

  get localRank(): number {
    return this.strategyValue.localRank;
  }

  get worldSize(): number {
    return this.strategyValue.worldSize;
  }

  get isGlobalZero(): boolean {
    return this.strategy.isGlobalZero;
  }

  get device(): string {
    return this.options.accelerator;
  }

  /** `console.log` on rank 0 only; while a progress bar is drawn the line goes above it, so the bar stays intact. */
  print(...args: unknown[]): void {
    if (!this.isGlobalZero) return;
    const text = args.map((a) => (typeof a === 'string' ? a : formatPrintArg(a))).join(' ');
    for (const callback of this.callbacks) if (callback instanceof ProgressBar && callback.print(text)) return;
    console.log(...args);
  }

  async dumpCheckpoint(weightsOnly = false): Promise<CheckpointDict> {
    return await dumpCheckpoint(this, this.requireRun('dumpCheckpoint'), weightsOnly);
  }

  /** Write a checkpoint (rank 0 only in a data-parallel job; every rank waits until it is written). */
  async saveCheckpoint(path: string, options: { weightsOnly?: boolean } = {}): Promise<void> {
    const doc = await this.dumpCheckpoint(options.weightsOnly ?? false);
    if (this.isGlobalZero) await writeCheckpoint(path, doc);
    if (this.worldSize > 1) await this.strategyValue.barrier('saveCheckpoint');
  }

  private requireRun(what: string): TrainerRun {
    if (this.run === undefined) throw new LightningError(`trainer.${what}() needs an attached model.`, 'Call it during or after trainer.fit(model).');
    return this.run;
  }

  /** Train `model`, validating as configured. */
  async fit<B>(model: LightningModule<B>, args: FitArgs<B> = {}): Promise<void> {
    const loaders: ExplicitLoaders = {};
    if (args.trainDataloaders !== undefined) loaders.train = toSourceList(args.trainDataloaders, 'fit({ trainDataloaders })');
    if (args.valDataloaders !== undefined) loaders.val = toSourceList(args.valDataloaders, 'fit({ valDataloaders })');
    if (model.trainingStep === undefined) {
      throw new MisconfigurationError(
        `${model.constructor.name} has no trainingStep, so trainer.fit() has nothing to run.`,
        'Define trainingStep(batch, batchIdx) returning the loss.',
      );
    }
    if (loaders.train === undefined && args.datamodule?.trainDataloader === undefined && model.trainDataloader === undefined) {
      throw new MisconfigurationError(
        `trainer.fit() got no training data: no trainDataloaders, no datamodule.trainDataloader() and no ${model.constructor.name}.trainDataloader().`,
        'Pass fit(model, { trainDataloaders }) or { datamodule }, or define trainDataloader() in the module.',
      );
    }
    this.stopRequested = false;
    if (this.options.dashboard !== false && !this.dashboardStarted && this.isGlobalZero) {
      this.dashboardStarted = true;
      await startDashboardFor(this.loggers, this.options.dashboard);
    }
    await this.execute('fit', model, args.datamodule, loaders, async (run) => {
      const path = await resolveCkptPath(run, args.ckptPath);
      const doc = path === undefined ? undefined : await readCheckpoint(path);
      try {
        if (doc !== undefined) await restoreModulesAndCallbacks(run, doc);
        await run.configureOptimizers();
        await run.dispatcher.callBoth('onFitStart', []);
        if (this.options.enableAutologHparams && this.isGlobalZero) logHyperparams(this.loggers, run.module, run.datamodule);
        run.restart = doc === undefined ? undefined : restoreTrainingState(run, doc);
      } finally {
        if (doc !== undefined) disposeCheckpoint(doc);
      }
      run.module.zeroGrad();
      const loop = new FitLoop(run);
      await loop.sanityCheck();
      await loop.run();
      await run.dispatcher.callBoth('onFitEnd', []);
    });
  }

  /** Run one validation pass; returns one metrics object per dataloader. */
  async validate<B>(model?: LightningModule<B>, args: EvalArgs<B> = {}): Promise<Array<Record<string, number>>> {
    return await this.evaluate('validate', model, args);
  }

  /** Run one test pass; returns one metrics object per dataloader. */
  async test<B>(model?: LightningModule<B>, args: EvalArgs<B> = {}): Promise<Array<Record<string, number>>> {
    return await this.evaluate('test', model, args);
  }

  private async evaluate<B>(fn: 'validate' | 'test', model: LightningModule<B> | undefined, args: EvalArgs<B>): Promise<Array<Record<string, number>>> {
    const target = this.resolveModel(model, fn);
    const kind = fn === 'validate' ? 'validation' : 'test';
    const stepDefined = fn === 'validate' ? target.validationStep !== undefined : target.testStep !== undefined;
    if (!stepDefined) {
      throw new MisconfigurationError(`trainer.${fn}() needs ${kind}Step in ${target.constructor.name}.`, `Define ${kind}Step(batch, batchIdx) in your LightningModule.`);
    }
    let results: Array<Record<string, number>> = [];
    const given = args.dataloaders === undefined ? undefined : toSourceList(args.dataloaders, `${fn}({ dataloaders })`);
    const loaders: ExplicitLoaders = given === undefined ? {} : fn === 'validate' ? { val: given } : { test: given };
    await this.execute(fn, target, args.datamodule, loaders, async (run) => {
      await this.loadWeights(run, args.ckptPath);
      const limit = fn === 'validate' ? this.options.limitValBatches : this.options.limitTestBatches;
      if (limit === 0) return;
      run.module.zeroGrad();
      const requested = (fn === 'validate' ? loaders.val : loaders.test) ?? (await requestDataloaders(fn === 'validate' ? 'valDataloader' : 'testDataloader', run.dispatcher, run.datamodule, run.module));
      const sources = distributeSources(requested, this.strategyValue, { shuffle: false, enabled: this.options.useDistributedSampler });
      const counts = evalBatchCounts(sources, limit, fn === 'validate' ? 'limitValBatches' : 'limitTestBatches');
      if (fn === 'validate') run.numValBatches = counts;
      else run.numTestBatches = counts;
      run.setStage(fn === 'validate' ? 'validate' : 'test');
      results = await runEvaluation(run, kind, sources, counts, false);
      run.setStage(undefined);
    });
    if ((args.verbose ?? true) && this.isGlobalZero) {
      const table = formatResultsTable(fn === 'validate' ? 'Validate' : 'Test', results);
      if (table !== '') console.log(table);
    }
    return results;
  }

  /** Run prediction and collect the outputs (one list per dataloader when there are several). */
  async predict<B>(model?: LightningModule<B>, args: EvalArgs<B> = {}): Promise<unknown[]> {
    const perLoader: unknown[][] = [];
    for await (const item of this.predictStream(model, args)) (perLoader[item.dataloaderIdx] ??= []).push(item.prediction);
    return perLoader.length <= 1 ? (perLoader[0] ?? []) : perLoader;
  }

  /** Stream predictions batch by batch (nothing is held in memory); tensors are the caller's to dispose. */
  async *predictStream<B>(model?: LightningModule<B>, args: EvalArgs<B> = {}): AsyncGenerator<PredictionItem> {
    const target = this.resolveModel(model, 'predict');
    const loaders: ExplicitLoaders = args.dataloaders === undefined ? {} : { predict: toSourceList(args.dataloaders, 'predict({ dataloaders })') };
    const queue: PredictionItem[] = [];
    let wake: (() => void) | undefined;
    let finished = false;
    let failure: unknown;
    let resume: (() => void) | undefined;
    const done = this.execute('predict', target, args.datamodule as DataHooks | undefined, loaders, async (run) => {
      await this.loadWeights(run, args.ckptPath);
      if (this.options.limitPredictBatches === 0) return;
      run.module.zeroGrad();
      const sources = distributeSources(loaders.predict ?? (await requestDataloaders('predictDataloader', run.dispatcher, run.datamodule, run.module)), this.strategyValue, { shuffle: false, enabled: this.options.useDistributedSampler });
      run.numPredictBatches = evalBatchCounts(sources, this.options.limitPredictBatches, 'limitPredictBatches');
      run.setStage('predict');
      for await (const item of streamPredictions(run, sources, run.numPredictBatches)) {
        queue.push(item);
        wake?.();
        await new Promise<void>((r) => (resume = r));
      }
      run.setStage(undefined);
    }).then(
      () => { finished = true; wake?.(); },
      (e: unknown) => { failure = e; finished = true; wake?.(); },
    );
    while (true) {
      if (queue.length === 0 && !finished) await new Promise<void>((r) => (wake = r));
      const item = queue.shift();
      if (item !== undefined) {
        yield item;
        resume?.();
        continue;
      }
      if (finished) break;
    }
    await done;
    if (failure !== undefined) throw failure instanceof Error ? failure : new LightningError('Prediction failed with a non-Error value.', JSON.stringify(failure));
  }

  /** validate/test/predict with `ckptPath`: the module's `onLoadCheckpoint` and weights only. */
  private async loadWeights(run: TrainerRun, ckptPath: string | undefined): Promise<void> {
    const path = await resolveCkptPath(run, ckptPath);
    if (path === undefined) return;
    const doc = await readCheckpoint(path);
    try {
      await run.dispatcher.callModule('onLoadCheckpoint', doc);
      run.module.loadStateDict(doc.stateDict, { strict: run.module.strictLoading });
    } finally {
      disposeCheckpoint(doc);
    }
  }

  private resolveModel(model: LightningModule | undefined, fn: TrainerFn): LightningModule {
    const target = model ?? this.module;
    if (target === undefined) {
      throw new MisconfigurationError(`trainer.${fn}() was called without a model and no model was fitted before.`, `Pass the model: trainer.${fn}(model, ...).`);
    }
    return target;
  }

  private setStage(stage: RunningStage | undefined): void {
    this.state.stage = stage;
  }

  /** Everything around a call: backend, run creation, setup and teardown hooks, errors and signals. */
  private async execute(fn: TrainerFn, model: LightningModule, datamodule: DataHooks | undefined, loaders: ExplicitLoaders, body: (run: TrainerRun) => Promise<void>): Promise<void> {
    if (!this.strategyResolved) {
      this.strategyValue = await resolveStrategy(this.options);
      this.strategyResolved = true;
      this.connector.strategy = this.strategyValue;
      if (!this.isGlobalZero) {
        this.connector.setLoggers(this.loggers.map((l) => rankZeroLogger(l, () => false)));
        for (const callback of this.callbackList) if (callback instanceof ProgressBar) callback.disable();
      }
    }
    const backend = await selectBackend(this.options.accelerator);
    if (!this.backendReported && !this.options.barebones) {
      this.backendReported = true;
      this.print(`Backend: ${backend.name} (${backend.reason})`);
    }
    if (fn === 'fit') this.progress = new FitProgress();
    this.module = model;
    this.state.fn = fn;
    this.state.status = 'running';
    const run = await TrainerRun.create({
      trainer: this, options: this.options, module: model, datamodule, connector: this.connector, progress: this.progress,
      explicitLoaders: loaders, device: backend.name, callbacks: this.callbackList, setStage: (s) => this.setStage(s),
    });
    this.run = run;
    const profiler = this.options.profiler === undefined ? undefined : this.options.profiler === 'advanced' ? new AdvancedProfiler() : new SimpleProfiler();
    if (profiler !== undefined) {
      await profiler.setup(fn, this.logDir);
      run.dispatcher.timer = (action, ms) => profiler.record(action, ms);
    }
    const uninstall = fn === 'fit' && this.options.handleSignals ? platform.installSignalHandlers(() => { run.interruptRequested = true; }) : () => {};
    try {
      await run.setupStage(fn);
      if (fn === 'fit') await this.strategyValue.broadcastParameters?.(model);
      await body(run);
      this.state.status = run.interruptRequested ? 'interrupted' : 'finished';
      if (run.interruptRequested) {
        const error = new LightningError('Training was interrupted by a signal.', 'The run stopped after the current batch; resume it from a checkpoint.');
        await run.dispatcher.callCallbacks('onException', [error]);
        await run.dispatcher.callModule('onException', error);
      }
      await run.teardown(fn);
      if (this.isGlobalZero) for (const logger of this.loggers) await logger.finalize(run.interruptRequested ? 'interrupted' : 'success');
    } catch (error) {
      this.state.status = 'interrupted';
      await run.dispatcher.callCallbacks('onException', [error]);
      await run.dispatcher.callModule('onException', error);
      await (datamodule as { onException?: (e: unknown) => unknown } | undefined)?.onException?.(error);
      if (this.isGlobalZero) for (const logger of this.loggers) await logger.finalize('failed');
      await run.teardown(fn).catch(() => undefined);
      throw error;
    } finally {
      if (profiler !== undefined) {
        await profiler.describe();
        await profiler.teardown();
      }
      uninstall();
      this.setStage(undefined);
      run.detach();
    }
  }
}

/** A `print` argument as one line of text (objects as JSON, errors by message). */
function formatPrintArg(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return typeof value === 'symbol' ? value.toString() : `${value as string | number | boolean | bigint | undefined}`;
}
