/** InMemoryLogger: keeps every logged row in memory (tests, notebooks, browser pages). */
import { BaseLogger, checkStep, prefixMetrics, type CheckpointInfo, type LoggerStatus } from './logger.js';

/** One `logMetrics` call. */
export interface MetricsRow {
  step: number;
  metrics: Record<string, number>;
}

/** Options of `InMemoryLogger`. */
export interface InMemoryLoggerOptions {
  /** Experiment name. Default: `'in_memory'`. */
  name?: string;
  /** Version. Default: 0. */
  version?: number | string;
  /** Prepended to every metric name with `-`. Default: `''`. */
  prefix?: string;
  /** Global rank of this process (only rank 0 records). Default: 0. */
  rank?: number;
}

/** Records rows, hyperparameters, checkpoints and the final status in plain arrays and objects. */
export class InMemoryLogger extends BaseLogger {
  readonly name: string;
  readonly version: number | string;
  /** Every `logMetrics` call, in order. */
  readonly rows: MetricsRow[] = [];
  /** Hyperparameters logged so far (merged). */
  readonly hparams: Record<string, unknown> = {};
  /** Metrics passed to `logHyperparams` (merged). */
  readonly hparamMetrics: Record<string, number> = {};
  /** Checkpoint notifications, in order. */
  readonly checkpoints: CheckpointInfo[] = [];
  /** Status passed to `finalize`, once finalized. */
  status: LoggerStatus | undefined;
  /** How many times `save()` ran. */
  saveCount = 0;
  private readonly prefix: string;

  constructor(options: InMemoryLoggerOptions = {}) {
    super(options.rank);
    this.name = options.name ?? 'in_memory';
    this.version = options.version ?? 0;
    this.prefix = options.prefix ?? '';
  }

  logMetrics(metrics: Record<string, number>, step?: number): void {
    if (!this.isRankZero) return;
    const at = step === undefined ? this.rows.length : checkStep(step, 'InMemoryLogger');
    this.rows.push({ step: at, metrics: prefixMetrics(metrics, this.prefix, 'InMemoryLogger') });
  }

  logHyperparams(params: Record<string, unknown>, metrics?: Record<string, number>): void {
    if (!this.isRankZero) return;
    Object.assign(this.hparams, params);
    if (metrics !== undefined) Object.assign(this.hparamMetrics, metrics);
  }

  afterSaveCheckpoint(info: CheckpointInfo): void {
    if (this.isRankZero) this.checkpoints.push(info);
  }

  save(): void {
    if (this.isRankZero) this.saveCount += 1;
  }

  finalize(status: LoggerStatus): void {
    if (this.isRankZero) this.status = status;
  }

  /** `[step, value]` pairs of one metric, in logging order. */
  history(key: string): Array<[number, number]> {
    return this.rows.flatMap((r) => (r.metrics[key] === undefined ? [] : [[r.step, r.metrics[key]] as [number, number]]));
  }

  /** The last value logged for every metric. */
  latest(): Record<string, number> {
    return Object.assign({}, ...this.rows.map((r) => r.metrics)) as Record<string, number>;
  }
}
