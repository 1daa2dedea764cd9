/** `EarlyStopping`: stop fitting when a monitored metric stops improving (patience counted in checks). */
import { MisconfigurationError } from '../errors.js';
import type { TrainerContext } from '../core/trainer-context.js';
import { warn } from '../utilities/warnings.js';
import { Callback, generateStateKey } from './callback.js';

/** Options of `EarlyStopping` (Lightning's arguments, camelCased). */
export interface EarlyStoppingOptions {
  /** Metric to watch (required). */
  monitor: string;
  /** Smallest change that counts as an improvement. Default: 0. */
  minDelta?: number;
  /** Checks without improvement before stopping. Default: 3. */
  patience?: number;
  /** Print the reason when stopping. Default: false. */
  verbose?: boolean;
  /** "min" (default) or "max". */
  mode?: 'min' | 'max';
  /** Throw when the metric is missing (default), else warn and skip. */
  strict?: boolean;
  /** Stop when the metric becomes NaN or infinite. Default: true. */
  checkFinite?: boolean;
  /** Stop as soon as the metric is better than this. */
  stoppingThreshold?: number;
  /** Stop as soon as the metric is worse than this. */
  divergenceThreshold?: number;
  /** Check at the end of the training epoch instead of after validation. Default: decided from the validation schedule. */
  checkOnTrainEpochEnd?: boolean;
}

/** Why training stopped. */
export type EarlyStoppingReason = 'not_stopped' | 'stopping_threshold' | 'divergence_threshold' | 'patience_exhausted' | 'non_finite_metric';

/** Stops training when the monitored metric stops improving. */
export class EarlyStopping extends Callback {
  override readonly kind = 'monitor' as const;
  readonly monitor: string;
  readonly patience: number;
  waitCount = 0;
  stoppedEpoch = 0;
  bestScore: number;
  stoppingReason: EarlyStoppingReason = 'not_stopped';
  stoppingReasonMessage: string | undefined;
  private readonly mode: 'min' | 'max';
  private readonly minDelta: number;
  private checkOnTrainEpochEnd: boolean | undefined;

  constructor(private readonly options: EarlyStoppingOptions) {
    super();
    this.monitor = options.monitor;
    this.mode = options.mode ?? 'min';
    if (this.mode !== 'min' && this.mode !== 'max') {
      throw new MisconfigurationError(`EarlyStopping mode "${String(this.mode)}" is not supported.`, 'Use "min" or "max".');
    }
    this.patience = options.patience ?? 3;
    this.minDelta = Math.abs(options.minDelta ?? 0) * (this.mode === 'max' ? 1 : -1);
    this.bestScore = this.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    this.checkOnTrainEpochEnd = options.checkOnTrainEpochEnd;
  }

  override get stateKey(): string {
    return generateStateKey('EarlyStopping', { monitor: this.monitor, mode: this.mode });
  }

  override setup(trainer: TrainerContext): void {
    this.checkOnTrainEpochEnd ??= trainer.settings.valCheckInterval === 1 && trainer.settings.checkValEveryNEpochs === 1;
  }

  private improved(a: number, b: number): boolean {
    return this.mode === 'min' ? a < b : a > b;
  }

  private shouldSkip(trainer: TrainerContext): boolean {
    return trainer.state.fn !== 'fit' || trainer.sanityChecking || trainer.settings.fastDevRun > 0;
  }

  override async onTrainEpochEnd(trainer: TrainerContext): Promise<void> {
    if (this.checkOnTrainEpochEnd === true && !this.shouldSkip(trainer)) await this.check(trainer);
  }

  override async onValidationEnd(trainer: TrainerContext): Promise<void> {
    if (this.checkOnTrainEpochEnd !== true && !this.shouldSkip(trainer)) await this.check(trainer);
  }

  private async check(trainer: TrainerContext): Promise<void> {
    const metrics = trainer.callbackMetrics;
    const current = metrics[this.monitor];
    if (current === undefined) {
      const message = `Early stopping conditioned on metric "${this.monitor}" which is not available.`;
      const hint = `Log it with this.log("${this.monitor}", value), or monitor one of: ${Object.keys(metrics).join(', ') || '(nothing logged yet)'}.`;
      if (this.options.strict ?? true) throw new MisconfigurationError(message, hint);
      warn('LT1601', `${message} ${hint}`);
      return;
    }
    const [stop, reason, message] = this.evaluate(current);
    const decided = await trainer.strategy.reduceBooleanDecision(stop, false);
    if (decided) {
      trainer.shouldStop = true;
      this.stoppedEpoch = trainer.currentEpoch;
      this.stoppingReason = reason;
      this.stoppingReasonMessage = message;
      if (this.options.verbose ?? false) trainer.print(message);
    }
  }

  private evaluate(current: number): [boolean, EarlyStoppingReason, string] {
    const best = this.bestScore;
    const m = this.monitor;
    if ((this.options.checkFinite ?? true) && !Number.isFinite(current)) {
      return [true, 'non_finite_metric', `Monitored metric ${m} = ${current} is not finite. Previous best value was ${best.toFixed(3)}. Signaling Trainer to stop.`];
    }
    const { stoppingThreshold, divergenceThreshold } = this.options;
    if (stoppingThreshold !== undefined && this.improved(current, stoppingThreshold)) {
      return [true, 'stopping_threshold', `Stopping threshold reached: ${m} = ${current} ${this.mode === 'min' ? '<' : '>'} ${stoppingThreshold}. Signaling Trainer to stop.`];
    }
    if (divergenceThreshold !== undefined && this.improved(-current, -divergenceThreshold)) {
      return [true, 'divergence_threshold', `Divergence threshold reached: ${m} = ${current} ${this.mode === 'min' ? '>' : '<'} ${divergenceThreshold}. Signaling Trainer to stop.`];
    }
    if (this.improved(current - this.minDelta, best)) {
      this.bestScore = current;
      this.waitCount = 0;
      return [false, 'not_stopped', `Metric ${m} improved. New best score: ${current.toFixed(3)}`];
    }
    this.waitCount += 1;
    if (this.waitCount >= this.patience) {
      return [true, 'patience_exhausted', `Monitored metric ${m} did not improve in the last ${this.waitCount} records. Best score: ${best.toFixed(3)}. Signaling Trainer to stop.`];
    }
    return [false, 'not_stopped', ''];
  }

  override stateDict(): Record<string, unknown> {
    return {
      waitCount: this.waitCount,
      stoppedEpoch: this.stoppedEpoch,
      bestScore: this.bestScore,
      patience: this.patience,
      stoppingReason: this.stoppingReason,
      stoppingReasonMessage: this.stoppingReasonMessage ?? null,
    };
  }

  override loadStateDict(state: Record<string, unknown>): void {
    this.waitCount = Number(state.waitCount ?? 0);
    this.stoppedEpoch = Number(state.stoppedEpoch ?? 0);
    if (typeof state.bestScore === 'number') this.bestScore = state.bestScore;
    this.stoppingReason = (state.stoppingReason as EarlyStoppingReason | undefined) ?? 'not_stopped';
    this.stoppingReasonMessage = typeof state.stoppingReasonMessage === 'string' ? state.stoppingReasonMessage : undefined;
  }
}
