/** `Timer`: tracks time per stage and stops training when a time budget is spent (state survives a resume). */
import type { RunningStage, TrainerContext } from '../core/trainer-context.js';
import { MisconfigurationError } from '../errors.js';
import { Callback } from './callback.js';

/** Options of `Timer`. */
export interface TimerOptions {
  /** Training time budget in milliseconds; none only measures. Default: none. */
  durationMs?: number;
  /** Check the budget after every training "step" or every "epoch". Default: "step". */
  interval?: 'step' | 'epoch';
  /** Print a message when the budget is spent. Default: true. */
  verbose?: boolean;
  /** Clock in milliseconds (tests). Default: `performance.now`. */
  now?: () => number;
}

type TimedStage = Extract<RunningStage, 'train' | 'validate' | 'test' | 'predict'>;
const STAGES: readonly TimedStage[] = ['train', 'validate', 'test', 'predict'];

/** Stops fit once the training time exceeds `durationMs`; `timeElapsed(stage)` and `timeRemaining()` report it. */
export class Timer extends Callback {
  readonly durationMs: number | undefined;
  readonly interval: 'step' | 'epoch';
  private readonly verbose: boolean;
  private readonly now: () => number;
  private readonly startMs = new Map<TimedStage, number>();
  private readonly endMs = new Map<TimedStage, number>();
  private offsetMs = 0;

  constructor(options: TimerOptions = {}) {
    super();
    if (options.durationMs !== undefined && !(options.durationMs >= 0)) {
      throw new MisconfigurationError(`Timer durationMs must be a non-negative number; received ${options.durationMs}.`, 'Use e.g. durationMs: 60 * 60 * 1000 for one hour.');
    }
    const interval = options.interval ?? 'step';
    if (interval !== 'step' && interval !== 'epoch') {
      throw new MisconfigurationError(`Timer interval must be "step" or "epoch"; received ${JSON.stringify(interval)}.`, 'Use interval: "step" (default) or "epoch".');
    }
    this.durationMs = options.durationMs;
    this.interval = interval;
    this.verbose = options.verbose ?? true;
    this.now = options.now ?? (() => performance.now());
  }

  /** When `stage` started (clock milliseconds), if it did. */
  startTime(stage: TimedStage): number | undefined {
    return this.startMs.get(stage);
  }

  /** When `stage` ended, if it did. */
  endTime(stage: TimedStage): number | undefined {
    return this.endMs.get(stage);
  }

  /** Milliseconds spent in `stage` (running stages count up to now; training includes time restored from a checkpoint). */
  timeElapsed(stage: TimedStage = 'train'): number {
    const start = this.startMs.get(stage);
    const offset = stage === 'train' ? this.offsetMs : 0;
    if (start === undefined) return offset;
    return (this.endMs.get(stage) ?? this.now()) - start + offset;
  }

  /** Milliseconds of the training budget left (undefined without a budget). */
  timeRemaining(stage: TimedStage = 'train'): number | undefined {
    return this.durationMs === undefined ? undefined : this.durationMs - this.timeElapsed(stage);
  }

  private begin(stage: TimedStage): void {
    this.startMs.set(stage, this.now());
    this.endMs.delete(stage);
  }

  private end(stage: TimedStage): void {
    this.endMs.set(stage, this.now());
  }

  override onTrainStart(): void { this.begin('train'); }
  override onTrainEnd(): void { this.end('train'); }
  override onValidationStart(trainer: TrainerContext): void { if (!trainer.sanityChecking) this.begin('validate'); }
  override onValidationEnd(trainer: TrainerContext): void { if (!trainer.sanityChecking) this.end('validate'); }
  override onTestStart(): void { this.begin('test'); }
  override onTestEnd(): void { this.end('test'); }
  override onPredictStart(): void { this.begin('predict'); }
  override onPredictEnd(): void { this.end('predict'); }

  override async onFitStart(trainer: TrainerContext): Promise<void> {
    // A restored timer may already be spent.
    await this.check(trainer);
  }

  override async onTrainBatchEnd(trainer: TrainerContext): Promise<void> {
    if (this.interval === 'step') await this.check(trainer);
  }

  override async onTrainEpochEnd(trainer: TrainerContext): Promise<void> {
    if (this.interval === 'epoch') await this.check(trainer);
  }

  private async check(trainer: TrainerContext): Promise<void> {
    if (this.durationMs === undefined) return;
    const spent = this.timeElapsed('train') >= this.durationMs;
    const stop = await trainer.strategy.reduceBooleanDecision(spent, false);
    if (!stop) return;
    trainer.shouldStop = true;
    if (this.verbose) trainer.print(`Time limit reached. Elapsed time is ${(this.timeElapsed('train') / 1000).toFixed(1)} s. Signaling Trainer to stop.`);
  }

  override stateDict(): Record<string, unknown> {
    return { timeElapsed: Object.fromEntries(STAGES.map((s) => [s, this.timeElapsed(s)])) };
  }

  override loadStateDict(state: Record<string, unknown>): void {
    const elapsed = state.timeElapsed as Record<string, unknown> | undefined;
    this.offsetMs = typeof elapsed?.train === 'number' ? elapsed.train : 0;
  }
}
