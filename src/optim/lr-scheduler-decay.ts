/** Warm-up and annealing schedules: ConstantLR, LinearLR, PolynomialLR, CosineAnnealingLR, CosineAnnealingWarmRestarts. */
import { MisconfigurationError } from '../errors.js';
import { LRScheduler } from './lr-scheduler.js';
import type { LRSchedulerState, SchedulerBaseOptions } from './lr-scheduler.js';
import type { Optimizer } from './optimizer.js';

function checkFactor(name: string, key: string, value: number): void {
  if (!(value >= 0 && value <= 1)) {
    throw new MisconfigurationError(`${name} got ${key} ${value}.`, `Pass ${key} between 0 and 1.`);
  }
}

/** Options of `ConstantLR`. */
export interface ConstantLROptions extends SchedulerBaseOptions {
  /** Factor applied until `totalIters`. Default: 1/3. */
  factor?: number;
  /** Number of epochs the factor applies. Default: 5. */
  totalIters?: number;
}

/** Scale the lr by a constant factor for the first `totalIters` epochs (`ConstantLR`). */
export class ConstantLR extends LRScheduler {
  readonly factor: number;
  readonly totalIters: number;

  constructor(optimizer: Optimizer, options: ConstantLROptions = {}) {
    super(optimizer);
    this.factor = options.factor ?? 1 / 3;
    checkFactor('ConstantLR', 'factor', this.factor);
    this.totalIters = options.totalIters ?? 5;
    this.initialize(options.lastEpoch ?? -1);
  }

  protected computeLr(): number[] {
    if (this.lastEpoch === 0) return this.currentLrs().map((lr) => lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * (1.0 / this.factor));
  }

  protected override closedFormLr(): number[] {
    const after = this.lastEpoch >= this.totalIters ? 1 : 0;
    return this.baseLrs.map((base) => base * (this.factor + after * (1 - this.factor)));
  }
}

/** Options of `LinearLR`. */
export interface LinearLROptions extends SchedulerBaseOptions {
  /** Factor at epoch 0. Default: 1/3. */
  startFactor?: number;
  /** Factor from `totalIters` on. Default: 1.0. */
  endFactor?: number;
  /** Number of epochs of the linear ramp. Default: 5. */
  totalIters?: number;
}

/** Ramp the lr's factor linearly from `startFactor` to `endFactor` over `totalIters` epochs (`LinearLR`). */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;

  constructor(optimizer: Optimizer, options: LinearLROptions = {}) {
    super(optimizer);
    this.startFactor = options.startFactor ?? 1 / 3;
    this.endFactor = options.endFactor ?? 1.0;
    checkFactor('LinearLR', 'startFactor', this.startFactor);
    checkFactor('LinearLR', 'endFactor', this.endFactor);
    this.totalIters = options.totalIters ?? 5;
    this.initialize(options.lastEpoch ?? -1);
  }

  protected computeLr(): number[] {
    if (this.lastEpoch === 0) return this.currentLrs().map((lr) => lr * this.startFactor);
    if (this.lastEpoch > this.totalIters) return this.currentLrs();
    const span = this.endFactor - this.startFactor;
    const factor = 1 + span / (this.totalIters * this.startFactor + (this.lastEpoch - 1) * span);
    return this.currentLrs().map((lr) => lr * factor);
  }

  protected override closedFormLr(): number[] {
    const t = Math.min(this.totalIters, this.lastEpoch);
    return this.baseLrs.map((base) => base * (this.startFactor + ((this.endFactor - this.startFactor) * t) / this.totalIters));
  }
}

/** Options of `PolynomialLR`. */
export interface PolynomialLROptions extends SchedulerBaseOptions {
  /** Number of epochs over which the lr decays to 0. Default: 5. */
  totalIters?: number;
  /** Power of the polynomial. Default: 1.0. */
  power?: number;
}

/** Decay the lr to 0 over `totalIters` epochs as (1 - t/T)^power (`PolynomialLR`). */
export class PolynomialLR extends LRScheduler {
  readonly totalIters: number;
  readonly power: number;

  constructor(optimizer: Optimizer, options: PolynomialLROptions = {}) {
    super(optimizer);
    this.totalIters = options.totalIters ?? 5;
    this.power = options.power ?? 1.0;
    this.initialize(options.lastEpoch ?? -1);
  }

  protected computeLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch > this.totalIters) return this.currentLrs();
    const T = this.totalIters;
    const decay = ((1.0 - this.lastEpoch / T) / (1.0 - (this.lastEpoch - 1) / T)) ** this.power;
    return this.currentLrs().map((lr) => lr * decay);
  }

  protected override closedFormLr(): number[] {
    const t = Math.min(this.totalIters, this.lastEpoch);
    return this.baseLrs.map((base) => base * (1.0 - t / this.totalIters) ** this.power);
  }
}

/** Options of `CosineAnnealingLR`. */
export interface CosineAnnealingLROptions extends SchedulerBaseOptions {
  /** Half-period of the cosine, in epochs. */
  tMax: number;
  /** Minimum lr. Default: 0. */
  etaMin?: number;
}

/** Cosine annealing from the initial lr to `etaMin` over `tMax` epochs, in PyTorch's recursive form (`CosineAnnealingLR`). */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: Optimizer, options: CosineAnnealingLROptions) {
    super(optimizer);
    if (!(options.tMax > 0)) {
      throw new MisconfigurationError(`CosineAnnealingLR got tMax ${options.tMax}.`, 'Pass a positive tMax (epochs of one half-cosine).');
    }
    this.tMax = options.tMax;
    this.etaMin = options.etaMin ?? 0;
    this.initialize(options.lastEpoch ?? -1);
  }

  protected computeLr(): number[] {
    const { lastEpoch: t, tMax, etaMin } = this;
    const groups = this.optimizer.paramGroups;
    if (t === 0) return this.currentLrs();
    if (this.stepCount === 1 && t > 0) {
      return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((t * Math.PI) / tMax))) / 2);
    }
    if ((t - 1 - tMax) % (2 * tMax) === 0) {
      return groups.map((g, i) => g.lr + (((this.baseLrs[i] as number) - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    const ratio = (1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax));
    return groups.map((g) => ratio * (g.lr - etaMin) + etaMin);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }
}

/** Options of `CosineAnnealingWarmRestarts`. */
export interface CosineAnnealingWarmRestartsOptions extends SchedulerBaseOptions {
  /** Epochs until the first restart (positive integer). */
  t0: number;
  /** Factor by which the period grows after each restart (integer >= 1). Default: 1. */
  tMult?: number;
  /** Minimum lr. Default: 0. */
  etaMin?: number;
}

/** Cosine annealing with warm restarts, SGDR (`CosineAnnealingWarmRestarts`); `step(epoch)` accepts fractional epochs. */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  readonly t0: number;
  readonly tMult: number;
  readonly etaMin: number;
  /** Length of the current cycle. */
  tI: number;
  /** Epochs since the last restart. */
  tCur: number;

  constructor(optimizer: Optimizer, options: CosineAnnealingWarmRestartsOptions) {
    super(optimizer);
    const tMult = options.tMult ?? 1;
    if (!(Number.isInteger(options.t0) && options.t0 > 0)) {
      throw new MisconfigurationError(`CosineAnnealingWarmRestarts got t0 ${options.t0}.`, 'Pass a positive integer t0.');
    }
    if (!(Number.isInteger(tMult) && tMult >= 1)) {
      throw new MisconfigurationError(`CosineAnnealingWarmRestarts got tMult ${tMult}.`, 'Pass an integer tMult >= 1.');
    }
    this.t0 = options.t0;
    this.tI = options.t0;
    this.tMult = tMult;
    this.etaMin = options.etaMin ?? 0;
    this.tCur = options.lastEpoch ?? -1;
    this.initialize(options.lastEpoch ?? -1);
  }

  protected computeLr(): number[] {
    return this.baseLrs.map((base) => this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2);
  }

  override step(epoch?: number): void {
    let e = epoch;
    if (e === undefined && this.lastEpoch < 0) e = 0;
    if (e === undefined) {
      e = this.lastEpoch + 1;
      this.tCur += 1;
      if (this.tCur >= this.tI) {
        this.tCur -= this.tI;
        this.tI *= this.tMult;
      }
    } else if (e < 0) {
      throw new MisconfigurationError(`CosineAnnealingWarmRestarts.step got epoch ${e}.`, 'Pass a non-negative epoch.');
    } else if (e >= this.t0) {
      if (this.tMult === 1) {
        this.tCur = e % this.t0;
      } else {
        const n = Math.trunc(Math.log((e / this.t0) * (this.tMult - 1) + 1) / Math.log(this.tMult));
        this.tCur = e - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
        this.tI = this.t0 * this.tMult ** n;
      }
    } else {
      this.tI = this.t0;
      this.tCur = e;
    }
    this.lastEpoch = Math.floor(e);
    const lrs = this.computeLr();
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lrs[i] ?? g.lr));
    this.lastLr = this.currentLrs();
  }

  override stateDict(): LRSchedulerState {
    return { ...super.stateDict(), tI: this.tI, tCur: this.tCur };
  }

  override loadStateDict(state: Record<string, unknown>): void {
    super.loadStateDict(state);
    if (typeof state.tI === 'number') this.tI = state.tI;
    if (typeof state.tCur === 'number') this.tCur = state.tCur;
  }
}
