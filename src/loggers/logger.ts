/** The Logger contract the Trainer talks to, plus the rank-zero guard and metric-key helpers shared by every logger. */
import { MisconfigurationError, describeValue } from '../errors.js';

/** How a run ended, as passed to `Logger.finalize`. */
export type LoggerStatus = 'success' | 'failed' | 'interrupted';

/** What a checkpoint callback knows after saving, passed to `Logger.afterSaveCheckpoint`. */
export interface CheckpointInfo {
  /** Path of the file just written. */
  savedPath?: string;
  /** Path of the best checkpoint so far. */
  bestModelPath?: string;
  /** Monitored value of the best checkpoint. */
  bestModelScore?: number;
  /** Path of the `last` checkpoint. */
  lastModelPath?: string;
  /** Name of the monitored metric. */
  monitor?: string;
  /** Optimizer steps taken when the checkpoint was saved. */
  step?: number;
  /** Epoch when the checkpoint was saved. */
  epoch?: number;
}

/**
 * A logger: receives metrics and hyperparameters from the Trainer (Lightning's `Logger`, camelCased).
 *
 * Rank zero only: every logger has a writable `rank` (default 0, or the `rank` constructor option). The Trainer sets
 * `logger.rank = globalRank` before the first call; on any rank other than 0 all methods are no-ops and nothing is
 * created on disk.
 */
export interface Logger {
  /** Experiment name (Lightning's `name`). */
  readonly name: string;
  /** Experiment version: a number for `version_<n>` folders, or the string given by the user. */
  readonly version: number | string;
  /** Directory the experiment folders live in. */
  readonly saveDir?: string;
  /** `saveDir/name`: where the versions of this experiment live. */
  readonly rootDir?: string;
  /** Directory of this run; checkpoints default to `logDir/checkpoints`. */
  readonly logDir?: string;
  /** Separator that groups metric names into sections (`train/loss`). */
  readonly groupSeparator: string;
  /** Global rank of this process; only rank 0 writes. */
  rank: number;
  /** Record a set of scalar metrics at a step (the next row/step when omitted). */
  logMetrics(metrics: Record<string, number>, step?: number): void;
  /** Record the run's hyperparameters, and optionally metrics to associate with them. */
  logHyperparams(params: Record<string, unknown>, metrics?: Record<string, number>): void;
  /** Record the model's structure, when the logger can represent it. */
  logGraph?(model: unknown, inputExample?: unknown): void;
  /** Write anything buffered. */
  save(): void | Promise<void>;
  /** Flush and close at the end of a run. */
  finalize(status: LoggerStatus): void | Promise<void>;
  /** Called after each checkpoint save (remote loggers upload it). */
  afterSaveCheckpoint?(info: CheckpointInfo): void | Promise<void>;
}

/** Shared rank guard: subclasses check `isRankZero` at the top of every public method. */
export abstract class BaseLogger implements Logger {
  abstract readonly name: string;
  abstract readonly version: number | string;
  /** Separator that groups metric names. Default: `/`. */
  readonly groupSeparator: string = '/';
  /** Global rank of this process; only rank 0 writes. */
  rank: number;

  protected constructor(rank: number | undefined) {
    this.rank = rank ?? 0;
  }

  /** Whether this process writes. */
  get isRankZero(): boolean {
    return this.rank === 0;
  }

  abstract logMetrics(metrics: Record<string, number>, step?: number): void;
  abstract logHyperparams(params: Record<string, unknown>, metrics?: Record<string, number>): void;
  abstract save(): void | Promise<void>;
  abstract finalize(status: LoggerStatus): void | Promise<void>;
}

/** Lightning joins a logger's `prefix` and a metric name with `-`. */
export const LOGGER_JOIN_CHAR = '-';

/** Prefix every key with `prefix-` (no change for an empty prefix) and check every value is a number. */
export function prefixMetrics(metrics: Record<string, number>, prefix: string, loggerName: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(metrics)) {
    if (typeof value !== 'number') {
      throw new MisconfigurationError(
        `${loggerName}.logMetrics received ${describeValue(value)} for "${key}"; metrics must be numbers.`,
        'Convert tensors with `(await t.data())[0]` (or log through the Trainer, which does it once per logging interval).',
      );
    }
    out[prefix === '' ? key : `${prefix}${LOGGER_JOIN_CHAR}${key}`] = value;
  }
  return out;
}

/** Check an explicit step: a non-negative integer. */
export function checkStep(step: number, loggerName: string): number {
  if (!Number.isInteger(step) || step < 0) {
    throw new MisconfigurationError(`${loggerName} received step ${describeValue(step)}.`, 'Steps are non-negative integers.');
  }
  return step;
}
