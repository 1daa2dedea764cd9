/** `LearningRateMonitor`: logs each optimizer's learning rate (and optionally momentum and weight decay) to the loggers. */
import type { TrainerContext } from '../core/trainer-context.js';
import { MisconfigurationError } from '../errors.js';
import type { Optimizer, ParamGroup } from '../optim/optimizer.js';
import { Callback } from './callback.js';

/** Options of `LearningRateMonitor`. */
export interface LearningRateMonitorOptions {
  /** "step", "epoch", or undefined to follow each scheduler's own interval. Default: undefined. */
  loggingInterval?: 'step' | 'epoch' | undefined;
  /** Also log momentum (`momentum`, or `betas[0]` for Adam-like optimizers) as `<name>-momentum`. Default: false. */
  logMomentum?: boolean;
  /** Also log weight decay as `<name>-weight_decay`. Default: false. */
  logWeightDecay?: boolean;
  /** Prefix of every key, e.g. `"train/"`. Default: "". */
  logKeyPrefix?: string;
}

interface Tracked {
  optimizer: Optimizer;
  /** Base name: the scheduler config's `name`, else `lr-<Optimizer>` with `-1`, `-2` for repeated classes. */
  name: string;
  /** Scheduler interval, or undefined for optimizers without a scheduler (logged at every interval). */
  interval: 'step' | 'epoch' | undefined;
}

/** Logs `lr-<OptimizerClass>` (with `/pg<i>` or `/<group name>` per param group) at the chosen interval. */
export class LearningRateMonitor extends Callback {
  readonly loggingInterval: 'step' | 'epoch' | undefined;
  /** Every value logged, by key (Lightning's `lrs`). */
  readonly lrs: Record<string, number[]> = {};
  private readonly logMomentum: boolean;
  private readonly logWeightDecay: boolean;
  private readonly prefix: string;

  constructor(options: LearningRateMonitorOptions = {}) {
    super();
    const interval = options.loggingInterval;
    if (interval !== undefined && interval !== 'step' && interval !== 'epoch') {
      throw new MisconfigurationError(`LearningRateMonitor loggingInterval must be "step", "epoch" or undefined; received ${JSON.stringify(interval)}.`, 'Use loggingInterval: "step" or "epoch", or leave it unset to follow the schedulers.');
    }
    this.loggingInterval = interval;
    this.logMomentum = options.logMomentum ?? false;
    this.logWeightDecay = options.logWeightDecay ?? false;
    this.prefix = options.logKeyPrefix ?? '';
  }

  override onTrainStart(trainer: TrainerContext): void {
    if (trainer.loggers.length === 0) {
      throw new MisconfigurationError('LearningRateMonitor needs a logger, but the Trainer has none.', 'Pass logger: true (or a logger) to the Trainer, or remove the LearningRateMonitor.');
    }
  }

  override onTrainBatchStart(trainer: TrainerContext): void {
    if (this.loggingInterval === 'epoch') return;
    if ((trainer.globalStep + 1) % trainer.settings.logEveryNSteps !== 0 && !trainer.shouldStop) return;
    this.logStats(trainer, this.loggingInterval === undefined ? 'step' : 'any');
  }

  override onTrainEpochStart(trainer: TrainerContext): void {
    if (this.loggingInterval === 'step') return;
    this.logStats(trainer, this.loggingInterval === undefined ? 'epoch' : 'any');
  }

  /** The optimizers to report with their base names: those with schedulers first, then the others. */
  private tracked(trainer: TrainerContext): Tracked[] {
    const out: Tracked[] = [];
    const seenTypes = new Map<string, number>();
    const baseName = (optimizer: Optimizer): string => {
      const cls = optimizer.constructor.name;
      const count = (seenTypes.get(cls) ?? 0) + 1;
      seenTypes.set(cls, count);
      return count > 1 ? `lr-${cls}-${count - 1}` : `lr-${cls}`;
    };
    const withScheduler = new Set<Optimizer>();
    for (const config of trainer.lrSchedulerConfigs) {
      const optimizer = config.scheduler.optimizer;
      withScheduler.add(optimizer);
      const fallback = baseName(optimizer);
      out.push({ optimizer, name: config.name ?? fallback, interval: config.interval });
    }
    for (const optimizer of trainer.optimizers) {
      if (!withScheduler.has(optimizer)) out.push({ optimizer, name: baseName(optimizer), interval: undefined });
    }
    return out;
  }

  /** The values for `interval` ("any" logs every optimizer). */
  extractStats(trainer: TrainerContext, interval: 'step' | 'epoch' | 'any'): Record<string, number> {
    const stats: Record<string, number> = {};
    for (const t of this.tracked(trainer)) {
      if (t.interval !== undefined && interval !== 'any' && t.interval !== interval) continue;
      const groups = t.optimizer.paramGroups as unknown as ReadonlyArray<ParamGroup & Record<string, unknown>>;
      groups.forEach((group, i) => {
        const name = groups.length > 1 ? `${t.name}/${group.name ?? `pg${i + 1}`}` : t.name;
        stats[this.prefix + name] = group.lr;
        if (this.logMomentum) stats[`${this.prefix}${name}-momentum`] = momentumOf(group);
        if (this.logWeightDecay && typeof group.weightDecay === 'number') stats[`${this.prefix}${name}-weight_decay`] = group.weightDecay;
      });
    }
    return stats;
  }

  private logStats(trainer: TrainerContext, interval: 'step' | 'epoch' | 'any'): void {
    const stats = this.extractStats(trainer, interval);
    if (Object.keys(stats).length === 0) return;
    for (const [k, v] of Object.entries(stats)) (this.lrs[k] ??= []).push(v);
    for (const logger of trainer.loggers) logger.logMetrics(stats, trainer.globalStep);
  }
}

function momentumOf(group: Record<string, unknown>): number {
  const betas = group.betas;
  if (Array.isArray(betas) && typeof betas[0] === 'number') return betas[0];
  return typeof group.momentum === 'number' ? group.momentum : 0;
}
