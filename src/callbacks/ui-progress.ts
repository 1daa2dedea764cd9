/**
 * `UIProgressCallback`: progress as plain data for a UI (a web page, a dashboard, a notebook) instead of a drawn
 * bar. Batch events are throttled by time; the first and the last batch of every stage run are always reported, and
 * every stage run ends with one `done: true` event carrying the metrics as they stand at its end.
 */
import type { TrainerContext } from '../core/trainer-context.js';
import { MisconfigurationError } from '../errors.js';
import { Callback } from './callback.js';

/** The stages a progress event belongs to (validation inside `fit` is `'validate'`). */
export type UIProgressStage = 'sanity_check' | 'train' | 'validate' | 'test' | 'predict';

/** One progress report. */
export interface UIProgressEvent {
  /** The stage running. */
  stage: UIProgressStage;
  /** `trainer.currentEpoch` (completed epochs: 0 during the first epoch). */
  epoch: number;
  /** Index of the batch just finished within this stage run, counted across dataloaders; -1 if none ran. */
  batchIdx: number;
  /** Batches of this stage run (all dataloaders), or `undefined` when the data has no length. */
  totalBatches: number | undefined;
  /** Optimizer steps taken so far. */
  globalStep: number;
  /** A copy of the trainer's metrics (see the `metrics` option) when the event was made. */
  metrics: Record<string, number>;
  /** True for the one event at the end of the stage run (the train stage ends at each epoch's end). */
  done: boolean;
}

/** Options of `UIProgressCallback`. */
export interface UIProgressCallbackOptions {
  /** Receives every event, synchronously inside the trainer's hook (keep it cheap: update state, not the DOM). */
  onProgress: (event: UIProgressEvent) => void;
  /** Minimum milliseconds between two batch events of one stage run (first, last and done events always pass). Default: 100. */
  intervalMs?: number;
  /** Which metrics events carry: `trainer.callbackMetrics` (everything logged) or `trainer.progressBarMetrics`. Default: 'callback'. */
  metrics?: 'callback' | 'progressBar';
  /** Clock in milliseconds (tests). Default: `Date.now`. */
  now?: () => number;
}

interface StageRun {
  batchesDone: number;
  lastEmitMs: number;
  total: () => number;
}

/** Progress events for UIs: throttled batch reports and one `done` report per stage run. */
export class UIProgressCallback extends Callback {
  /** Runs after the module in `onTrainEpochEnd`, so the train `done` event carries metrics logged there. */
  override readonly kind = 'monitor' as const;
  readonly intervalMs: number;
  private readonly onProgress: (event: UIProgressEvent) => void;
  private readonly metricsSource: 'callback' | 'progressBar';
  private readonly now: () => number;
  private readonly runs = new Map<UIProgressStage, StageRun>();

  constructor(options: UIProgressCallbackOptions) {
    super();
    this.onProgress = options.onProgress;
    this.intervalMs = options.intervalMs ?? 100;
    if (!(this.intervalMs >= 0) || !Number.isFinite(this.intervalMs)) {
      throw new MisconfigurationError(`UIProgressCallback intervalMs must be a non-negative number; received ${this.intervalMs}.`, 'Use intervalMs: 100 (at most 10 reports a second), or 0 to report every batch.');
    }
    this.metricsSource = options.metrics ?? 'callback';
    this.now = options.now ?? (() => Date.now());
  }

  private begin(stage: UIProgressStage, total: () => number): StageRun {
    const run: StageRun = { batchesDone: 0, lastEmitMs: Number.NEGATIVE_INFINITY, total };
    this.runs.set(stage, run);
    return run;
  }

  private emit(trainer: TrainerContext, stage: UIProgressStage, run: StageRun, done: boolean): void {
    const total = run.total();
    const source = this.metricsSource === 'callback' ? trainer.callbackMetrics : trainer.progressBarMetrics;
    this.onProgress({
      stage,
      epoch: trainer.currentEpoch,
      batchIdx: run.batchesDone - 1,
      totalBatches: Number.isFinite(total) ? total : undefined,
      globalStep: trainer.globalStep,
      metrics: { ...source },
      done,
    });
  }

  /** Count a finished batch and report it if it is the first or last one, or if `intervalMs` passed since the last report. */
  private batch(trainer: TrainerContext, stage: UIProgressStage, total: () => number, isLast: boolean): void {
    // Resumed mid-epoch: no start hook ran for this stage run.
    const run = this.runs.get(stage) ?? this.begin(stage, total);
    run.batchesDone += 1;
    const nowMs = this.now();
    if (isLast || run.batchesDone === run.total() || nowMs - run.lastEmitMs >= this.intervalMs) {
      run.lastEmitMs = nowMs;
      this.emit(trainer, stage, run, false);
    }
  }

  private end(trainer: TrainerContext, stage: UIProgressStage): void {
    const run = this.runs.get(stage);
    if (run === undefined) return;
    this.runs.delete(stage);
    this.emit(trainer, stage, run, true);
  }

  private evalStage(trainer: TrainerContext): UIProgressStage {
    return trainer.sanityChecking ? 'sanity_check' : 'validate';
  }

  private valTotal(trainer: TrainerContext): () => number {
    return () => sum(trainer.sanityChecking ? trainer.numSanityValBatches : trainer.numValBatches);
  }

  override onSanityCheckStart(trainer: TrainerContext): void {
    this.begin('sanity_check', this.valTotal(trainer));
  }

  override onSanityCheckEnd(trainer: TrainerContext): void {
    this.end(trainer, 'sanity_check');
  }

  override onTrainEpochStart(trainer: TrainerContext): void {
    this.begin('train', () => trainer.numTrainingBatches);
  }

  override onTrainBatchEnd(trainer: TrainerContext): void {
    this.batch(trainer, 'train', () => trainer.numTrainingBatches, trainer.isLastBatch);
  }

  override onTrainEpochEnd(trainer: TrainerContext): void {
    this.end(trainer, 'train');
  }

  override onValidationStart(trainer: TrainerContext): void {
    if (!trainer.sanityChecking) this.begin('validate', this.valTotal(trainer));
  }

  override onValidationBatchEnd(trainer: TrainerContext): void {
    this.batch(trainer, this.evalStage(trainer), this.valTotal(trainer), false);
  }

  override onValidationEnd(trainer: TrainerContext): void {
    if (!trainer.sanityChecking) this.end(trainer, 'validate');
  }

  override onTestStart(trainer: TrainerContext): void {
    this.begin('test', () => sum(trainer.numTestBatches));
  }

  override onTestBatchEnd(trainer: TrainerContext): void {
    this.batch(trainer, 'test', () => sum(trainer.numTestBatches), false);
  }

  override onTestEnd(trainer: TrainerContext): void {
    this.end(trainer, 'test');
  }

  override onPredictStart(trainer: TrainerContext): void {
    this.begin('predict', () => sum(trainer.numPredictBatches));
  }

  override onPredictBatchEnd(trainer: TrainerContext): void {
    this.batch(trainer, 'predict', () => sum(trainer.numPredictBatches), false);
  }

  override onPredictEnd(trainer: TrainerContext): void {
    this.end(trainer, 'predict');
  }

  override onException(): void {
    this.runs.clear();
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
