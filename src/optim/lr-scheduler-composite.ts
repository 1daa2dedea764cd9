/** Schedulers made of schedulers: `SequentialLR` (one after another, at milestones) and `ChainedScheduler` (all at once). */
import { MisconfigurationError } from '../errors.js';
import { LRScheduler } from './lr-scheduler.js';
import type { LRSchedulerState } from './lr-scheduler.js';
import type { Optimizer } from './optimizer.js';

function checkSameOptimizer(name: string, optimizer: Optimizer, schedulers: LRScheduler[]): void {
  if (schedulers.length === 0) {
    throw new MisconfigurationError(`${name} got no schedulers.`, 'Pass at least one scheduler.');
  }
  schedulers.forEach((s, i) => {
    if (s.optimizer !== optimizer) {
      throw new MisconfigurationError(
        `${name} expects all schedulers to belong to the same optimizer, but scheduler ${i} has a different one.`,
        'Build every scheduler over the optimizer passed to the composite scheduler.',
      );
    }
  });
}

function childStates(schedulers: LRScheduler[]): Array<Record<string, unknown>> {
  return schedulers.map((s) => s.stateDict());
}

function loadChildren(name: string, schedulers: LRScheduler[], state: Record<string, unknown>): void {
  const children = state.schedulers;
  if (!Array.isArray(children) || children.length !== schedulers.length) {
    throw new MisconfigurationError(
      `${name}.loadStateDict expected ${schedulers.length} child scheduler states.`,
      'Pass the object returned by stateDict() of a composite scheduler built the same way.',
    );
  }
  schedulers.forEach((s, i) => s.loadStateDict(children[i] as Record<string, unknown>));
}

/** Options of `SequentialLR`. */
export interface SequentialLROptions {
  /** The schedulers, used one after another. */
  schedulers: LRScheduler[];
  /** Epochs at which to switch to the next scheduler (one fewer than schedulers). */
  milestones: number[];
  /** Index of the last epoch when resuming. Default: -1. */
  lastEpoch?: number;
}

/** Run `schedulers[i]` between `milestones[i-1]` and `milestones[i]`; each restarts from epoch 0 (`SequentialLR`). */
export class SequentialLR extends LRScheduler {
  readonly schedulers: LRScheduler[];
  readonly milestones: number[];

  constructor(optimizer: Optimizer, options: SequentialLROptions) {
    super(optimizer);
    checkSameOptimizer('SequentialLR', optimizer, options.schedulers);
    if (options.milestones.length !== options.schedulers.length - 1) {
      throw new MisconfigurationError(
        `SequentialLR got ${options.schedulers.length} schedulers and ${options.milestones.length} milestones.`,
        'Pass one milestone fewer than schedulers: the epochs at which to switch to the next one.',
      );
    }
    this.schedulers = [...options.schedulers];
    this.milestones = [...options.milestones];
    this.lastEpoch = (options.lastEpoch ?? -1) + 1;
    for (const g of optimizer.paramGroups) g.lr = g.initialLr ?? g.lr;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    const first = this.schedulers[0] as LRScheduler;
    first.restart();
    this.baseLrs = [...first.baseLrs];
    this.lastLr = first.getLastLr();
  }

  protected computeLr(): number[] {
    return this.currentLrs();
  }

  override step(): void {
    this.lastEpoch += 1;
    const idx = this.milestones.filter((m) => m <= this.lastEpoch).length;
    const scheduler = this.schedulers[idx] as LRScheduler;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) scheduler.step(0);
    else scheduler.step();
    this.lastLr = scheduler.getLastLr();
  }

  override stateDict(): LRSchedulerState {
    return { ...super.stateDict(), schedulers: childStates(this.schedulers) };
  }

  override loadStateDict(state: Record<string, unknown>): void {
    super.loadStateDict(state);
    loadChildren('SequentialLR', this.schedulers, state);
  }
}

/** Step every scheduler on each `step()`, chaining their multiplicative effects (`ChainedScheduler`). */
export class ChainedScheduler extends LRScheduler {
  readonly schedulers: LRScheduler[];

  constructor(schedulers: LRScheduler[]) {
    const first = schedulers[0];
    if (first === undefined) throw new MisconfigurationError('ChainedScheduler got no schedulers.', 'Pass at least one scheduler.');
    super(first.optimizer);
    checkSameOptimizer('ChainedScheduler', first.optimizer, schedulers);
    this.schedulers = [...schedulers];
    this.baseLrs = [...first.baseLrs];
    this.lastLr = this.currentLrs();
  }

  protected computeLr(): number[] {
    return this.currentLrs();
  }

  override step(): void {
    for (const s of this.schedulers) s.step();
    this.lastLr = this.currentLrs();
  }

  override stateDict(): LRSchedulerState {
    return { ...super.stateDict(), schedulers: childStates(this.schedulers) };
  }

  override loadStateDict(state: Record<string, unknown>): void {
    super.loadStateDict(state);
    loadChildren('ChainedScheduler', this.schedulers, state);
  }
}
