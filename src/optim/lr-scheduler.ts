/**
 * `LRScheduler`, the base of PyTorch 1.13's epoch-indexed schedulers (`_LRScheduler`): it records `initialLr` on
 * the groups, takes an initial step at construction and applies each scheduler's chainable form on `step()`.
 * This file also holds the simple multiplicative schedules; the others live in `lr-scheduler-*.ts`.
 */
import { MisconfigurationError } from '../errors.js';
import type { Optimizer } from './optimizer.js';

/** Options every epoch-indexed scheduler takes. */
export interface SchedulerBaseOptions {
  /** Index of the last epoch when resuming; -1 starts afresh. Default: -1. */
  lastEpoch?: number;
}

/** The state every `LRScheduler` saves. */
export interface LRSchedulerState extends Record<string, unknown> {
  lastEpoch: number;
  baseLrs: number[];
  stepCount: number;
  lastLr: number[];
}

/** Base of the LR schedulers: `step()`, `getLastLr()`, `lastEpoch`, `stateDict()` with PyTorch's semantics. */
export abstract class LRScheduler {
  /** The lr each group started from (the groups' `initialLr`). */
  baseLrs: number[] = [];
  /** Number of `step()` calls so far, the first at construction included (PyTorch's `last_epoch`). */
  lastEpoch = -1;
  /** Number of times `step()` ran (PyTorch's `_step_count`). */
  protected stepCount = 0;
  /** The groups' lrs after the last step. */
  protected lastLr: number[] = [];

  protected constructor(
    /** The optimizer whose groups' `lr` this scheduler sets. */
    readonly optimizer: Optimizer,
  ) {}

  /** Record `initialLr` on the groups and take the initial step; subclasses call it last in their constructor. */
  protected initialize(lastEpoch: number): void {
    const groups = this.optimizer.paramGroups;
    if (lastEpoch === -1) {
      for (const g of groups) g.initialLr ??= g.lr;
    } else {
      groups.forEach((g, i) => {
        if (g.initialLr === undefined) {
          throw new MisconfigurationError(
            `${this.constructor.name} was given lastEpoch ${lastEpoch} but param group ${i} has no initialLr.`,
            'Resume the optimizer from its state dict before creating the scheduler, or use lastEpoch: -1.',
          );
        }
      });
    }
    this.baseLrs = groups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
    this.restart();
  }

  /** Reset the step count and take the initial step again (PyTorch's `_initial_step`, used by `SequentialLR`). */
  restart(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The lrs for `lastEpoch` from the current ones (PyTorch's chainable `get_lr`). */
  protected abstract computeLr(): number[];

  /** The lrs for `lastEpoch` from `baseLrs` alone, where a closed form exists (used by `step(epoch)`). */
  protected closedFormLr(): number[] | undefined {
    return undefined;
  }

  /** Advance one epoch (or, deprecated in PyTorch, jump to `epoch` with the closed form) and set the groups' lr. */
  step(epoch?: number): void {
    this.stepCount += 1;
    let lrs: number[];
    if (epoch === undefined) {
      this.lastEpoch += 1;
      lrs = this.computeLr();
    } else {
      this.lastEpoch = epoch;
      lrs = this.closedFormLr() ?? this.computeLr();
    }
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = lrs[i] ?? g.lr;
    });
    this.lastLr = this.currentLrs();
  }

  /** The lrs set by the last step, one per param group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The groups' lrs now. */
  protected currentLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** Serialisable state (plain numbers and arrays). */
  stateDict(): LRSchedulerState {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], stepCount: this.stepCount, lastLr: [...this.lastLr] };
  }

  /** Restore a state from `stateDict()`. */
  loadStateDict(state: Record<string, unknown>): void {
    const s = state as Partial<LRSchedulerState>;
    if (typeof s.lastEpoch !== 'number' || !Array.isArray(s.baseLrs)) {
      throw new MisconfigurationError(
        `${this.constructor.name}.loadStateDict got a state without lastEpoch/baseLrs.`,
        'Pass the object returned by stateDict() of the same scheduler type.',
      );
    }
    this.lastEpoch = s.lastEpoch;
    this.baseLrs = [...s.baseLrs];
    this.stepCount = s.stepCount ?? this.stepCount;
    this.lastLr = s.lastLr !== undefined ? [...s.lastLr] : this.lastLr;
  }
}

/** A function of the epoch index, or one per param group. */
export type LrLambda = ((epoch: number) => number) | Array<(epoch: number) => number>;

function lambdasFor(name: string, optimizer: Optimizer, fn: LrLambda): Array<(epoch: number) => number> {
  if (!Array.isArray(fn)) return optimizer.paramGroups.map(() => fn);
  if (fn.length !== optimizer.paramGroups.length) {
    throw new MisconfigurationError(
      `${name} got ${fn.length} lr lambdas for ${optimizer.paramGroups.length} param groups.`,
      'Pass one function, or one per param group.',
    );
  }
  return fn;
}

/** lr = initialLr × lrLambda(epoch) (`torch.optim.lr_scheduler.LambdaLR`). */
export class LambdaLR extends LRScheduler {
  private readonly lambdas: Array<(epoch: number) => number>;

  constructor(optimizer: Optimizer, options: { lrLambda: LrLambda } & SchedulerBaseOptions) {
    super(optimizer);
    this.lambdas = lambdasFor('LambdaLR', optimizer, options.lrLambda);
    this.initialize(options.lastEpoch ?? -1);
  }

  protected computeLr(): number[] {
    return this.baseLrs.map((base, i) => base * (this.lambdas[i] as (e: number) => number)(this.lastEpoch));
  }
}

/** lr ×= lrLambda(epoch) on each step after the first (`MultiplicativeLR`). */
export class MultiplicativeLR extends LRScheduler {
  private readonly lambdas: Array<(epoch: number) => number>;

  constructor(optimizer: Optimizer, options: { lrLambda: LrLambda } & SchedulerBaseOptions) {
    super(optimizer);
    this.lambdas = lambdasFor('MultiplicativeLR', optimizer, options.lrLambda);
    this.initialize(options.lastEpoch ?? -1);
  }

  protected computeLr(): number[] {
    if (this.lastEpoch <= 0) return this.currentLrs();
    return this.optimizer.paramGroups.map((g, i) => g.lr * (this.lambdas[i] as (e: number) => number)(this.lastEpoch));
  }
}

/** Options of `StepLR`. */
export interface StepLROptions extends SchedulerBaseOptions {
  /** Decay every this many epochs. */
  stepSize: number;
  /** Multiplicative decay. Default: 0.1. */
  gamma?: number;
}

/** Decay the lr by `gamma` every `stepSize` epochs (`StepLR`). */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: Optimizer, options: StepLROptions) {
    super(optimizer);
    if (!(Number.isInteger(options.stepSize) && options.stepSize > 0)) {
      throw new MisconfigurationError(`StepLR got stepSize ${options.stepSize}.`, 'Pass a positive integer stepSize, e.g. 30.');
    }
    this.stepSize = options.stepSize;
    this.gamma = options.gamma ?? 0.1;
    this.initialize(options.lastEpoch ?? -1);
  }

  protected computeLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/** Options of `MultiStepLR`. */
export interface MultiStepLROptions extends SchedulerBaseOptions {
  /** Epochs at which to decay (a repeated milestone decays once per repetition). */
  milestones: number[];
  /** Multiplicative decay. Default: 0.1. */
  gamma?: number;
}

/** Decay the lr by `gamma` at each milestone (`MultiStepLR`). */
export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  readonly gamma: number;

  constructor(optimizer: Optimizer, options: MultiStepLROptions) {
    super(optimizer);
    this.milestones = [...options.milestones].sort((a, b) => a - b);
    this.gamma = options.gamma ?? 0.1;
    this.initialize(options.lastEpoch ?? -1);
  }

  protected computeLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (hits === 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma ** hits);
  }

  protected override closedFormLr(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((base) => base * this.gamma ** passed);
  }
}

/** Multiply the lr by `gamma` every epoch (`ExponentialLR`). */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;

  constructor(optimizer: Optimizer, options: { gamma: number } & SchedulerBaseOptions) {
    super(optimizer);
    this.gamma = options.gamma;
    this.initialize(options.lastEpoch ?? -1);
  }

  protected computeLr(): number[] {
    if (this.lastEpoch === 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** this.lastEpoch);
  }
}
