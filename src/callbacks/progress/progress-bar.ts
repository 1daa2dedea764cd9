/**
 * `ProgressBar`: Lightning's TQDM bar. In a terminal one bar per stage is redrawn in place (`cli-progress`); when
 * the output is not a TTY (CI, files) it prints plain periodic lines without escape codes.
 */
import type { TrainerContext } from '../../core/trainer-context.js';
import { MisconfigurationError } from '../../errors.js';
import { platform } from '../../platform/platform.js';
import { ProgressBarBase } from './progress-bar-base.js';
import { formatMetric } from './renderer.js';
import type { BarState, ProgressRenderer } from './renderer.js';

/** Options of `ProgressBar`. */
export interface ProgressBarOptions {
  /** Redraw every N batches (reading the progress-bar metrics each time); 0 disables the bar. Default: 1. */
  refreshRate?: number;
  /** Keep each epoch's finished bar on screen (one line per epoch) instead of redrawing one bar. Default: false. */
  leave?: boolean;
  /** Where to draw. Default: stdout, with `cli-progress` on a TTY and plain lines otherwise (Node). */
  renderer?: ProgressRenderer;
  /** Plain-line mode only: minimum milliseconds between two lines of one bar. Default: 2000. */
  plainIntervalMs?: number;
  /** Clock in milliseconds (tests). Default: `Date.now`. */
  now?: () => number;
}

interface Bar {
  description: string;
  current: number;
  startMs: number;
  total: () => number;
}

type Stage = 'sanity' | 'train' | 'validation' | 'test' | 'predict';

/** The default progress bar (Lightning's `TQDMProgressBar`): bars for sanity check, fit, validate, test and predict. */
export class ProgressBar extends ProgressBarBase {
  readonly refreshRate: number;
  readonly leave: boolean;
  private renderer: ProgressRenderer | undefined;
  private readonly plainIntervalMs: number;
  private readonly now: () => number;
  private readonly bars = new Map<Stage, Bar>();
  private valBatchesThisEpoch = 0;

  constructor(options: ProgressBarOptions = {}) {
    super();
    this.refreshRate = options.refreshRate ?? 1;
    if (!Number.isInteger(this.refreshRate) || this.refreshRate < 0) {
      throw new MisconfigurationError(`ProgressBar refreshRate must be a non-negative integer; received ${this.refreshRate}.`, 'Use refreshRate: 1 (every batch), 10, or 0 to disable the bar.');
    }
    this.leave = options.leave ?? false;
    this.renderer = options.renderer;
    this.plainIntervalMs = options.plainIntervalMs ?? 2000;
    this.now = options.now ?? (() => Date.now());
    if (this.refreshRate === 0) this.disable();
  }

  override async setup(): Promise<void> {
    if (this.renderer !== undefined || !this.isEnabled) return;
    this.renderer = await platform.createProgressRenderer(this.plainIntervalMs);
  }

  /** Print a line above the bars (the bars stay intact); false when no renderer is active (the caller prints it). */
  print(text: string): boolean {
    if (this.renderer === undefined || !this.isEnabled) return false;
    this.renderer.print(text);
    return true;
  }

  private stateOf(bar: Bar, trainer: TrainerContext, withMetrics: boolean): BarState {
    const postfix = withMetrics
      ? Object.entries(this.getMetrics(trainer)).map(([k, v]) => `${k}=${formatMetric(v)}`).join(', ')
      : '';
    return { description: bar.description, current: bar.current, total: bar.total(), elapsedMs: this.now() - bar.startMs, postfix };
  }

  private start(stage: Stage, trainer: TrainerContext, description: string, total: () => number): void {
    if (!this.isEnabled || this.renderer === undefined) return;
    const bar: Bar = { description, current: 0, startMs: this.now(), total };
    this.bars.set(stage, bar);
    this.renderer.start(stage, this.stateOf(bar, trainer, false));
  }

  /** Advance `stage` by one batch; redraw every `refreshRate` batches and at the last one. */
  private advance(stage: Stage, trainer: TrainerContext): void {
    const bar = this.bars.get(stage);
    if (bar === undefined || this.renderer === undefined) return;
    bar.current += 1;
    if (bar.current % this.refreshRate === 0 || bar.current === bar.total()) {
      this.renderer.update(stage, this.stateOf(bar, trainer, stage !== 'sanity'));
    }
  }

  private finish(stage: Stage, trainer: TrainerContext, leave: boolean): void {
    const bar = this.bars.get(stage);
    if (bar === undefined || this.renderer === undefined) return;
    this.bars.delete(stage);
    this.renderer.finish(stage, this.stateOf(bar, trainer, stage !== 'sanity'), leave);
  }

  override onSanityCheckStart(trainer: TrainerContext): void {
    this.start('sanity', trainer, this.sanityCheckDescription, () => this.totalValBatches(trainer));
  }

  override onSanityCheckEnd(trainer: TrainerContext): void {
    this.finish('sanity', trainer, false);
  }

  override onTrainEpochStart(trainer: TrainerContext): void {
    if (this.leave) this.finish('train', trainer, true);
    this.valBatchesThisEpoch = 0;
    this.start('train', trainer, this.trainDescription(trainer), () => this.totalTrainBatches(trainer) + this.valBatchesThisEpoch);
  }

  override onTrainBatchEnd(trainer: TrainerContext): void {
    this.advance('train', trainer);
  }

  override onTrainEpochEnd(trainer: TrainerContext): void {
    const bar = this.bars.get('train');
    if (bar !== undefined) this.renderer?.update('train', this.stateOf(bar, trainer, true), true);
  }

  override onTrainEnd(trainer: TrainerContext): void {
    this.finish('train', trainer, true);
  }

  override onValidationStart(trainer: TrainerContext): void {
    if (trainer.sanityChecking) return;
    if (trainer.state.fn === 'fit') this.valBatchesThisEpoch += this.totalValBatches(trainer);
    this.start('validation', trainer, this.validationDescription, () => this.totalValBatches(trainer));
  }

  override onValidationBatchEnd(trainer: TrainerContext): void {
    if (trainer.sanityChecking) {
      this.advance('sanity', trainer);
      return;
    }
    this.advance('validation', trainer);
    if (trainer.state.fn === 'fit') this.advance('train', trainer);
  }

  override onValidationEnd(trainer: TrainerContext): void {
    if (trainer.sanityChecking) return;
    const inFit = trainer.state.fn === 'fit';
    this.finish('validation', trainer, !inFit);
    const main = this.bars.get('train');
    if (inFit && main !== undefined) this.renderer?.update('train', this.stateOf(main, trainer, true));
  }

  override onTestStart(trainer: TrainerContext): void {
    this.start('test', trainer, this.testDescription, () => this.totalTestBatches(trainer));
  }

  override onTestBatchEnd(trainer: TrainerContext): void {
    this.advance('test', trainer);
  }

  override onTestEnd(trainer: TrainerContext): void {
    this.finish('test', trainer, true);
  }

  override onPredictStart(trainer: TrainerContext): void {
    this.start('predict', trainer, this.predictDescription, () => this.totalPredictBatches(trainer));
  }

  override onPredictBatchEnd(trainer: TrainerContext): void {
    this.advance('predict', trainer);
  }

  override onPredictEnd(trainer: TrainerContext): void {
    this.finish('predict', trainer, true);
  }

  override onException(): void {
    this.close();
  }

  override teardown(): void {
    this.close();
  }

  private close(): void {
    this.bars.clear();
    this.renderer?.close();
  }
}
