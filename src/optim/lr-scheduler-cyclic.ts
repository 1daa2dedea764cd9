/** Cyclical schedules that also cycle momentum (or Adam's beta1): `OneCycleLR` and `CyclicLR`. */
import { MisconfigurationError } from '../errors.js';
import { LRScheduler } from './lr-scheduler.js';
import type { SchedulerBaseOptions } from './lr-scheduler.js';
import type { Optimizer, ParamGroup } from './optimizer.js';

/** A number, or one per param group. */
export type PerGroup = number | number[];

function perGroup(name: string, optimizer: Optimizer, value: PerGroup): number[] {
  if (!Array.isArray(value)) return optimizer.paramGroups.map(() => value);
  if (value.length !== optimizer.paramGroups.length) {
    throw new MisconfigurationError(
      `Expected ${optimizer.paramGroups.length} values for ${name}, got ${value.length}.`,
      `Pass one ${name}, or one per param group.`,
    );
  }
  return [...value];
}

type MomentumKey = 'betas' | 'momentum';

/** Which group option carries the momentum the scheduler cycles; throws when the optimizer has none. */
function momentumKey(scheduler: string, optimizer: Optimizer): MomentumKey {
  const defaults = optimizer.defaults as unknown as Record<string, unknown>;
  if ('betas' in defaults) return 'betas';
  if ('momentum' in defaults) return 'momentum';
  throw new MisconfigurationError(
    `${scheduler} was asked to cycle momentum but ${optimizer.constructor.name} has neither momentum nor betas.`,
    'Pass cycleMomentum: false, or use an optimizer with momentum (SGD, RMSprop) or betas (Adam, AdamW, Adamax).',
  );
}

function setMomentum(group: ParamGroup, key: MomentumKey, value: number): void {
  const g = group as unknown as Record<string, unknown>;
  if (key === 'betas') {
    const betas = g.betas as number[];
    g.betas = [value, ...betas.slice(1)];
  } else {
    g.momentum = value;
  }
}

function getMomentum(group: ParamGroup, key: MomentumKey): number {
  const g = group as unknown as Record<string, unknown>;
  return key === 'betas' ? ((g.betas as number[])[0] as number) : (g.momentum as number);
}

/** Options of `OneCycleLR`. */
export interface OneCycleLROptions extends SchedulerBaseOptions {
  /** Peak lr (per group or one for all). */
  maxLr: PerGroup;
  /** Total number of steps; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the lr. Default: 0.3. */
  pctStart?: number;
  /** `"cos"` or `"linear"` annealing. Default: `"cos"`. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle momentum (SGD/RMSprop `momentum`, Adam's beta1) inversely to the lr. Default: true. */
  cycleMomentum?: boolean;
  /** Lowest momentum. Default: 0.85. */
  baseMomentum?: PerGroup;
  /** Highest momentum. Default: 0.95. */
  maxMomentum?: PerGroup;
  /** initialLr = maxLr / divFactor. Default: 25. */
  divFactor?: number;
  /** minLr = initialLr / finalDivFactor. Default: 1e4. */
  finalDivFactor?: number;
  /** Use three phases (up, down to initialLr, annihilate) instead of two. Default: false. */
  threePhase?: boolean;
}

interface Phase {
  endStep: number;
  startLr: 'initial' | 'max' | 'min';
  endLr: 'initial' | 'max' | 'min';
  startMomentum: 'max' | 'base';
  endMomentum: 'max' | 'base';
}

/** The 1cycle policy (`OneCycleLR`): step it after every batch, `totalSteps` times. */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  private readonly phases: Phase[];
  private readonly anneal: (start: number, end: number, pct: number) => number;
  private readonly maxLrs: number[];
  private readonly minLrs: number[];
  private readonly momentumKey: MomentumKey | undefined;
  private readonly maxMomentums: number[] = [];
  private readonly baseMomentums: number[] = [];

  constructor(optimizer: Optimizer, options: OneCycleLROptions) {
    super(optimizer);
    const { totalSteps, epochs, stepsPerEpoch } = options;
    if (totalSteps !== undefined) this.totalSteps = totalSteps;
    else if (epochs !== undefined && stepsPerEpoch !== undefined) this.totalSteps = epochs * stepsPerEpoch;
    else throw new MisconfigurationError('OneCycleLR needs the schedule length.', 'Pass totalSteps, or epochs and stepsPerEpoch.');
    if (!(Number.isInteger(this.totalSteps) && this.totalSteps > 0)) {
      throw new MisconfigurationError(`OneCycleLR got totalSteps ${this.totalSteps}.`, 'Pass a positive integer number of steps.');
    }
    const pct = options.pctStart ?? 0.3;
    if (!(pct >= 0 && pct <= 1)) throw new MisconfigurationError(`OneCycleLR got pctStart ${pct}.`, 'Pass pctStart between 0 and 1.');
    const n = this.totalSteps;
    this.phases = options.threePhase === true
      ? [
          { endStep: pct * n - 1, startLr: 'initial', endLr: 'max', startMomentum: 'max', endMomentum: 'base' },
          { endStep: 2 * pct * n - 2, startLr: 'max', endLr: 'initial', startMomentum: 'base', endMomentum: 'max' },
          { endStep: n - 1, startLr: 'initial', endLr: 'min', startMomentum: 'max', endMomentum: 'max' },
        ]
      : [
          { endStep: pct * n - 1, startLr: 'initial', endLr: 'max', startMomentum: 'max', endMomentum: 'base' },
          { endStep: n - 1, startLr: 'max', endLr: 'min', startMomentum: 'base', endMomentum: 'max' },
        ];
    const strategy = options.annealStrategy ?? 'cos';
    this.anneal = strategy === 'cos'
      ? (start, end, p) => end + ((start - end) / 2.0) * (Math.cos(Math.PI * p) + 1)
      : (start, end, p) => (end - start) * p + start;
    this.maxLrs = perGroup('maxLr', optimizer, options.maxLr);
    const divFactor = options.divFactor ?? 25;
    const finalDivFactor = options.finalDivFactor ?? 1e4;
    const lastEpoch = options.lastEpoch ?? -1;
    if (lastEpoch === -1) {
      optimizer.paramGroups.forEach((g, i) => (g.initialLr = (this.maxLrs[i] as number) / divFactor));
    }
    this.minLrs = optimizer.paramGroups.map((g) => (g.initialLr ?? 0) / finalDivFactor);
    this.momentumKey = (options.cycleMomentum ?? true) ? momentumKey('OneCycleLR', optimizer) : undefined;
    if (this.momentumKey !== undefined) {
      this.maxMomentums.push(...perGroup('maxMomentum', optimizer, options.maxMomentum ?? 0.95));
      this.baseMomentums.push(...perGroup('baseMomentum', optimizer, options.baseMomentum ?? 0.85));
      const key = this.momentumKey;
      if (lastEpoch === -1) optimizer.paramGroups.forEach((g, i) => setMomentum(g, key, this.maxMomentums[i] as number));
    }
    this.initialize(lastEpoch);
  }

  protected computeLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new MisconfigurationError(
        `OneCycleLR was stepped ${stepNum + 1} times, but its totalSteps is ${this.totalSteps}.`,
        'Set totalSteps (or epochs × stepsPerEpoch) to the number of optimizer steps of the whole run.',
      );
    }
    return this.optimizer.paramGroups.map((g, i) => {
      const lrOf = { initial: g.initialLr ?? 0, max: this.maxLrs[i] as number, min: this.minLrs[i] as number };
      const momOf = { max: this.maxMomentums[i] ?? 0, base: this.baseMomentums[i] ?? 0 };
      let start = 0;
      for (let k = 0; k < this.phases.length; k++) {
        const phase = this.phases[k] as Phase;
        if (stepNum <= phase.endStep || k === this.phases.length - 1) {
          const pct = (stepNum - start) / (phase.endStep - start);
          if (this.momentumKey !== undefined) {
            setMomentum(g, this.momentumKey, this.anneal(momOf[phase.startMomentum], momOf[phase.endMomentum], pct));
          }
          return this.anneal(lrOf[phase.startLr], lrOf[phase.endLr], pct);
        }
        start = phase.endStep;
      }
      return g.lr;
    });
  }
}

/** Options of `CyclicLR`. */
export interface CyclicLROptions extends SchedulerBaseOptions {
  /** Lower bound of the cycle (also the groups' starting lr). */
  baseLr: PerGroup;
  /** Upper bound of the cycle. */
  maxLr: PerGroup;
  /** Steps in the increasing half. Default: 2000. */
  stepSizeUp?: number;
  /** Steps in the decreasing half. Default: `stepSizeUp`. */
  stepSizeDown?: number;
  /** `"triangular"`, `"triangular2"` or `"exp_range"`. Default: `"triangular"`. */
  mode?: 'triangular' | 'triangular2' | 'exp_range';
  /** Decay constant of `"exp_range"`. Default: 1.0. */
  gamma?: number;
  /** Custom amplitude scaling (overrides `mode`). */
  scaleFn?: (x: number) => number;
  /** Whether `scaleFn` takes the cycle number or the iteration. Default: `"cycle"`. */
  scaleMode?: 'cycle' | 'iterations';
  /** Cycle momentum inversely to the lr. Default: true. */
  cycleMomentum?: boolean;
  /** Lowest momentum. Default: 0.8. */
  baseMomentum?: PerGroup;
  /** Highest momentum. Default: 0.9. */
  maxMomentum?: PerGroup;
}

/** Cyclical learning rates (`CyclicLR`): step it after every batch. */
export class CyclicLR extends LRScheduler {
  private readonly maxLrs: number[];
  private readonly totalSize: number;
  private readonly stepRatio: number;
  private readonly scaleFn: (x: number) => number;
  private readonly scaleMode: 'cycle' | 'iterations';
  private readonly momentumKey: MomentumKey | undefined;
  private readonly baseMomentums: number[] = [];
  private readonly maxMomentums: number[] = [];

  constructor(optimizer: Optimizer, options: CyclicLROptions) {
    super(optimizer);
    const baseLrs = perGroup('baseLr', optimizer, options.baseLr);
    const lastEpoch = options.lastEpoch ?? -1;
    if (lastEpoch === -1) optimizer.paramGroups.forEach((g, i) => (g.lr = baseLrs[i] as number));
    this.maxLrs = perGroup('maxLr', optimizer, options.maxLr);
    const up = options.stepSizeUp ?? 2000;
    const down = options.stepSizeDown ?? up;
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    const mode = options.mode ?? 'triangular';
    const gamma = options.gamma ?? 1.0;
    if (options.scaleFn !== undefined) {
      this.scaleFn = options.scaleFn;
      this.scaleMode = options.scaleMode ?? 'cycle';
    } else if (mode === 'triangular') {
      this.scaleFn = () => 1.0;
      this.scaleMode = 'cycle';
    } else if (mode === 'triangular2') {
      this.scaleFn = (x) => 1 / 2.0 ** (x - 1);
      this.scaleMode = 'cycle';
    } else if (mode === 'exp_range') {
      this.scaleFn = (x) => gamma ** x;
      this.scaleMode = 'iterations';
    } else {
      throw new MisconfigurationError(`CyclicLR got mode "${String(mode)}".`, 'Use "triangular", "triangular2", "exp_range", or pass scaleFn.');
    }
    this.momentumKey = (options.cycleMomentum ?? true) ? momentumKey('CyclicLR', optimizer) : undefined;
    if (this.momentumKey !== undefined) {
      const key = this.momentumKey;
      const base = perGroup('baseMomentum', optimizer, options.baseMomentum ?? 0.8);
      if (lastEpoch === -1) optimizer.paramGroups.forEach((g, i) => setMomentum(g, key, base[i] as number));
      this.baseMomentums.push(...optimizer.paramGroups.map((g) => getMomentum(g, key)));
      this.maxMomentums.push(...perGroup('maxMomentum', optimizer, options.maxMomentum ?? 0.9));
    }
    this.initialize(lastEpoch);
    this.baseLrs = baseLrs;
  }

  protected computeLr(): number[] {
    const cycle = Math.floor(1 + this.lastEpoch / this.totalSize);
    const x = 1 + this.lastEpoch / this.totalSize - cycle;
    const scaleFactor = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const scale = this.scaleFn(this.scaleMode === 'cycle' ? cycle : this.lastEpoch);
    const lrs = this.baseLrs.map((base, i) => base + ((this.maxLrs[i] as number) - base) * scaleFactor * scale);
    if (this.momentumKey !== undefined) {
      const key = this.momentumKey;
      this.optimizer.paramGroups.forEach((g, i) => {
        const max = this.maxMomentums[i] as number;
        setMomentum(g, key, max - (max - (this.baseMomentums[i] as number)) * scaleFactor * scale);
      });
    }
    return lrs;
  }
}
