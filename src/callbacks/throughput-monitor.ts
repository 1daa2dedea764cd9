/** `ThroughputMonitor`: logs training and validation throughput (batches, samples and items per second). */
import type { TrainerContext } from '../core/trainer-context.js';
import { MisconfigurationError } from '../errors.js';
import { Callback } from './callback.js';

/** Options of `ThroughputMonitor`. */
export interface ThroughputMonitorOptions<B = unknown> {
  /** Number of samples in a batch. */
  batchSizeFn: (batch: B) => number;
  /** Number of items (e.g. tokens) in a batch; adds `items_per_sec`. Default: none. */
  lengthFn?: (batch: B) => number;
  /** Batches in the sliding window the rates are computed over. Default: 100. */
  windowSize?: number;
  /** Clock in milliseconds (tests). Default: `performance.now`. */
  now?: () => number;
}

interface Point {
  timeMs: number;
  batches: number;
  samples: number;
  items: number;
}

type Stage = 'train' | 'validate';

/** Logs `<stage>/time`, `<stage>/batches`, `<stage>/samples`, `<stage>/batches_per_sec`, `<stage>/samples_per_sec` (and `items_per_sec`). */
export class ThroughputMonitor<B = unknown> extends Callback {
  private readonly batchSizeFn: (batch: B) => number;
  private readonly lengthFn: ((batch: B) => number) | undefined;
  private readonly windowSize: number;
  private readonly now: () => number;
  private readonly points: Record<Stage, Point[]> = { train: [], validate: [] };
  private readonly totals: Record<Stage, Point> = { train: zero(), validate: zero() };
  private readonly startedMs: Record<Stage, number> = { train: 0, validate: 0 };
  private pausedMs = 0;
  private validationStartMs: number | undefined;
  /** The last metrics computed, by stage. */
  readonly lastMetrics: Partial<Record<Stage, Record<string, number>>> = {};

  constructor(options: ThroughputMonitorOptions<B>) {
    super();
    this.batchSizeFn = options.batchSizeFn;
    this.lengthFn = options.lengthFn;
    this.windowSize = options.windowSize ?? 100;
    if (!Number.isInteger(this.windowSize) || this.windowSize < 2) {
      throw new MisconfigurationError(`ThroughputMonitor windowSize must be an integer >= 2; received ${this.windowSize}.`, 'Use e.g. windowSize: 100.');
    }
    this.now = options.now ?? (() => performance.now());
  }

  private reset(stage: Stage): void {
    this.points[stage] = [];
    this.totals[stage] = zero();
    this.startedMs[stage] = this.now();
    if (stage === 'train') this.pausedMs = 0;
  }

  /** Record one batch and return the stage's metrics (rates need two points in the window). */
  private record(stage: Stage, batch: B): Record<string, number> {
    const t = this.totals[stage];
    t.batches += 1;
    t.samples += this.batchSizeFn(batch);
    if (this.lengthFn !== undefined) t.items += this.lengthFn(batch);
    // Training time excludes the validation runs inside the epoch.
    t.timeMs = this.now() - this.startedMs[stage] - (stage === 'train' ? this.pausedMs : 0);
    const window = this.points[stage];
    window.push({ ...t });
    if (window.length > this.windowSize) window.shift();
    const metrics: Record<string, number> = { [`${stage}/time`]: t.timeMs / 1000, [`${stage}/batches`]: t.batches, [`${stage}/samples`]: t.samples };
    const first = window[0];
    const last = window[window.length - 1];
    if (first !== undefined && last !== undefined && window.length >= 2 && last.timeMs > first.timeMs) {
      const seconds = (last.timeMs - first.timeMs) / 1000;
      metrics[`${stage}/batches_per_sec`] = (last.batches - first.batches) / seconds;
      metrics[`${stage}/samples_per_sec`] = (last.samples - first.samples) / seconds;
      if (this.lengthFn !== undefined) metrics[`${stage}/items_per_sec`] = (last.items - first.items) / seconds;
    }
    this.lastMetrics[stage] = metrics;
    return metrics;
  }

  override onTrainStart(): void {
    this.reset('train');
  }

  override onTrainBatchEnd(trainer: TrainerContext, _module: unknown, _outputs: unknown, batch: unknown): void {
    const metrics = this.record('train', batch as B);
    if (trainer.globalStep % trainer.settings.logEveryNSteps !== 0) return;
    for (const logger of trainer.loggers) logger.logMetrics(metrics, trainer.globalStep);
  }

  override onValidationStart(trainer: TrainerContext): void {
    if (trainer.sanityChecking) return;
    this.validationStartMs = this.now();
    this.reset('validate');
  }

  override onValidationBatchEnd(trainer: TrainerContext, _module: unknown, _outputs: unknown, batch: unknown): void {
    if (!trainer.sanityChecking) this.record('validate', batch as B);
  }

  override onValidationEnd(trainer: TrainerContext): void {
    if (trainer.sanityChecking || this.validationStartMs === undefined) return;
    if (trainer.state.fn === 'fit') this.pausedMs += this.now() - this.validationStartMs;
    this.validationStartMs = undefined;
    const metrics = this.lastMetrics.validate;
    if (metrics !== undefined) for (const logger of trainer.loggers) logger.logMetrics(metrics, trainer.globalStep);
  }
}

function zero(): Point {
  return { timeMs: 0, batches: 0, samples: 0, items: 0 };
}
