/** `ReduceLROnPlateau`: lower the lr when a monitored metric stops improving (`torch.optim.lr_scheduler.ReduceLROnPlateau`). */
import { MisconfigurationError } from '../errors.js';
import type { LRScheduler } from './lr-scheduler.js';
import type { Optimizer } from './optimizer.js';

/** Options of `ReduceLROnPlateau`. */
export interface ReduceLROnPlateauOptions {
  /** `"min"`: lower is better; `"max"`: higher is better. Default: `"min"`. */
  mode?: 'min' | 'max';
  /** New lr = lr × factor (must be < 1). Default: 0.1. */
  factor?: number;
  /** Epochs without improvement tolerated before reducing. Default: 10. */
  patience?: number;
  /** Minimum change that counts as an improvement. Default: 1e-4. */
  threshold?: number;
  /** `"rel"`: relative to the best value; `"abs"`: absolute. Default: `"rel"`. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again. Default: 0. */
  cooldown?: number;
  /** Lower bound on the lr (one for all groups or one per group). Default: 0. */
  minLr?: number | number[];
  /** Reductions smaller than this are skipped. Default: 1e-8. */
  eps?: number;
}

/** The state `ReduceLROnPlateau` saves. */
export interface ReduceLROnPlateauState extends Record<string, unknown> {
  /** Best metric so far; null while none was seen (JSON has no Infinity). */
  best: number | null;
  numBadEpochs: number;
  cooldownCounter: number;
  lastEpoch: number;
  lastLr: number[];
}

/** Reduce the lr by `factor` after `patience` epochs without improvement; `step(metric)` takes the monitored value. */
export class ReduceLROnPlateau {
  /** Tells the Trainer that `step` needs the monitored metric. */
  readonly needsMetric = true;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  /** Best value seen so far. */
  best: number;
  /** Consecutive epochs without improvement. */
  numBadEpochs = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  /** Number of `step` calls so far. */
  lastEpoch = 0;
  private lastLr: number[];

  constructor(
    /** The optimizer whose groups' `lr` this scheduler lowers. */
    readonly optimizer: Optimizer,
    options: ReduceLROnPlateauOptions = {},
  ) {
    this.factor = options.factor ?? 0.1;
    if (!(this.factor < 1)) {
      throw new MisconfigurationError(`ReduceLROnPlateau got factor ${this.factor}.`, 'Pass a factor < 1.0, e.g. 0.1.');
    }
    this.mode = options.mode ?? 'min';
    this.thresholdMode = options.thresholdMode ?? 'rel';
    if (this.mode !== 'min' && this.mode !== 'max') {
      throw new MisconfigurationError(`ReduceLROnPlateau got mode "${String(this.mode)}".`, 'Use mode "min" or "max".');
    }
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs') {
      throw new MisconfigurationError(`ReduceLROnPlateau got thresholdMode "${String(this.thresholdMode)}".`, 'Use "rel" or "abs".');
    }
    const minLr = options.minLr ?? 0;
    const groups = optimizer.paramGroups.length;
    if (Array.isArray(minLr) && minLr.length !== groups) {
      throw new MisconfigurationError(`ReduceLROnPlateau got ${minLr.length} minLr values for ${groups} param groups.`, 'Pass one minLr, or one per param group.');
    }
    this.minLrs = Array.isArray(minLr) ? [...minLr] : optimizer.paramGroups.map(() => minLr);
    this.patience = options.patience ?? 10;
    this.threshold = options.threshold ?? 1e-4;
    this.cooldown = options.cooldown ?? 0;
    this.eps = options.eps ?? 1e-8;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /** Whether `a` improves on `best` by more than the threshold. */
  isBetter(a: number, best: number): boolean {
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return this.thresholdMode === 'rel' ? a > best * (this.threshold + 1) : a > best + this.threshold;
  }

  /** Whether the scheduler is cooling down after a reduction. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /** Record one epoch's `metric` and reduce the lr if it has not improved for more than `patience` epochs. */
  step(metric?: number): void {
    if (metric === undefined || typeof metric !== 'number') {
      throw new MisconfigurationError(
        'ReduceLROnPlateau.step() needs the monitored metric.',
        'Call scheduler.step(valLoss), or give the scheduler config a monitor so the Trainer passes it.',
      );
    }
    this.lastEpoch += 1;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      const newLr = Math.max(g.lr * this.factor, this.minLrs[i] ?? 0);
      if (g.lr - newLr > this.eps) g.lr = newLr;
    });
  }

  /** The groups' lrs after the last step. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Serialisable state (a non-finite `best` is stored as null, as JSON has no Infinity). */
  stateDict(): ReduceLROnPlateauState {
    return {
      best: Number.isFinite(this.best) ? this.best : null,
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
      lastEpoch: this.lastEpoch,
      lastLr: [...this.lastLr],
    };
  }

  /** Restore a state from `stateDict()`. */
  loadStateDict(state: Record<string, unknown>): void {
    const s = state as Partial<ReduceLROnPlateauState>;
    if (typeof s.numBadEpochs !== 'number' || typeof s.lastEpoch !== 'number') {
      throw new MisconfigurationError(
        'ReduceLROnPlateau.loadStateDict got a state without numBadEpochs/lastEpoch.',
        'Pass the object returned by ReduceLROnPlateau.stateDict().',
      );
    }
    this.best = typeof s.best === 'number' ? s.best : this.mode === 'min' ? Infinity : -Infinity;
    this.numBadEpochs = s.numBadEpochs;
    this.cooldownCounter = s.cooldownCounter ?? 0;
    this.lastEpoch = s.lastEpoch;
    if (s.lastLr !== undefined) this.lastLr = [...s.lastLr];
  }
}

/** Any LR scheduler of `optim`. */
export type AnyLRScheduler = LRScheduler | ReduceLROnPlateau;

/** Whether `scheduler` is a `ReduceLROnPlateau` (its `step` takes the monitored metric). */
export function isReduceLROnPlateau(scheduler: unknown): scheduler is ReduceLROnPlateau {
  return scheduler instanceof ReduceLROnPlateau;
}
