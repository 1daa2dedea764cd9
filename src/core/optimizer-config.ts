/** Normalising what `configureOptimizers()` returns into optimizers and LR-scheduler configs (Lightning's formats). */
import { MisconfigurationError, describeValue } from '../errors.js';
import { Optimizer } from '../optim/optimizer.js';
import { warn } from '../utilities/warnings.js';

/** The scheduler surface the Trainer needs (every scheduler of `optim` has it). */
export interface SchedulerLike {
  readonly optimizer: Optimizer;
  /** Advance the schedule; plateau schedulers take the monitored value. */
  step(metric?: number): void;
  stateDict(): Record<string, unknown>;
  loadStateDict(state: Record<string, unknown>): void;
}

/** How a scheduler is stepped (Lightning's `lr_scheduler_config`). */
export interface LrSchedulerConfigInput {
  scheduler: SchedulerLike;
  /** `"epoch"` (default) or `"step"`. */
  interval?: 'epoch' | 'step';
  /** Step every N intervals. Default: 1. */
  frequency?: number;
  /** Metric a plateau scheduler watches; required for `ReduceLROnPlateau`. */
  monitor?: string;
  /** Throw when the monitored metric is missing (default), or warn and skip. */
  strict?: boolean;
  /** Name for `LearningRateMonitor`. */
  name?: string;
  /** Whether the scheduler takes the monitored value (auto-detected for `ReduceLROnPlateau`). */
  reduceOnPlateau?: boolean;
}

/** A resolved scheduler config. */
export interface LrSchedulerConfig {
  scheduler: SchedulerLike;
  interval: 'epoch' | 'step';
  frequency: number;
  monitor: string | undefined;
  strict: boolean;
  name: string | undefined;
  reduceOnPlateau: boolean;
}

/** `{ optimizer, lrScheduler, monitor }`, one of `configureOptimizers`' formats. */
export interface OptimizerConfigDict {
  optimizer: Optimizer;
  lrScheduler?: SchedulerLike | LrSchedulerConfigInput;
  monitor?: string;
}

/** Everything `configureOptimizers()` may return. */
export type OptimizerConfigOutput =
  | Optimizer
  | Optimizer[]
  | [Optimizer[], Array<SchedulerLike | LrSchedulerConfigInput> | SchedulerLike | LrSchedulerConfigInput]
  | OptimizerConfigDict
  | OptimizerConfigDict[]
  | null
  | undefined
  | void;

/** The normalised result. */
export interface OptimizerSetup {
  optimizers: Optimizer[];
  lrSchedulerConfigs: LrSchedulerConfig[];
}

const CONFIG_KEYS = new Set(['scheduler', 'interval', 'frequency', 'monitor', 'strict', 'name', 'reduceOnPlateau']);
const DICT_KEYS = new Set(['optimizer', 'lrScheduler', 'monitor']);

const UNKNOWN_FORMAT_HINT =
  'Return an optimizer, a list of optimizers, [optimizers, schedulers], { optimizer, lrScheduler, monitor }, a list of such objects, or nothing.';

/** Whether a scheduler needs the monitored value (`ReduceLROnPlateau`). */
export function isPlateauScheduler(s: SchedulerLike): boolean {
  return (s as { readonly needsMetric?: boolean }).needsMetric === true;
}

function isScheduler(x: unknown): x is SchedulerLike {
  return typeof x === 'object' && x !== null && typeof (x as SchedulerLike).step === 'function' && 'optimizer' in x;
}

function toSchedulerConfig(entry: unknown, monitor: string | undefined): LrSchedulerConfig {
  const input: LrSchedulerConfigInput = isScheduler(entry) ? { scheduler: entry } : (entry as LrSchedulerConfigInput);
  if (typeof input !== 'object' || input === null || !isScheduler(input.scheduler)) {
    throw new MisconfigurationError(
      `An LR scheduler config must have a "scheduler" key with a scheduler; received ${describeValue(entry)}.`,
      'Return { scheduler, interval, frequency, monitor } or a scheduler instance.',
    );
  }
  for (const key of Object.keys(input)) {
    if (!CONFIG_KEYS.has(key)) warn('LT1101', `Found unsupported key "${key}" in the LR scheduler config; it is ignored.`);
  }
  const interval = input.interval ?? 'epoch';
  if (interval !== 'epoch' && interval !== 'step') {
    throw new MisconfigurationError(
      `The LR scheduler config has interval "${String(interval)}".`,
      'Use interval "epoch" or "step".',
    );
  }
  const reduceOnPlateau = input.reduceOnPlateau ?? isPlateauScheduler(input.scheduler);
  const resolvedMonitor = input.monitor ?? monitor;
  if (reduceOnPlateau && resolvedMonitor === undefined) {
    throw new MisconfigurationError(
      'The LR scheduler is a ReduceLROnPlateau scheduler but its config does not include a monitor.',
      'Return { optimizer, lrScheduler: { scheduler, monitor: "val_loss" } } with the metric to watch.',
    );
  }
  const frequency = input.frequency ?? 1;
  if (!Number.isInteger(frequency) || frequency < 1) {
    throw new MisconfigurationError(`The LR scheduler frequency must be a positive integer; received ${frequency}.`, 'Use frequency: 1 (or more).');
  }
  return {
    scheduler: input.scheduler,
    interval,
    frequency,
    monitor: resolvedMonitor,
    strict: input.strict ?? true,
    name: input.name,
    reduceOnPlateau,
  };
}

function fromDict(d: OptimizerConfigDict): { optimizer: Optimizer; configs: LrSchedulerConfig[] } {
  for (const key of Object.keys(d)) {
    if (!DICT_KEYS.has(key)) warn('LT1102', `Found unsupported key "${key}" in the optimizer configuration; it is ignored.`);
  }
  if (!(d.optimizer instanceof Optimizer)) {
    throw new MisconfigurationError(`The optimizer configuration's "optimizer" is ${describeValue(d.optimizer)}.`, UNKNOWN_FORMAT_HINT);
  }
  const configs = d.lrScheduler === undefined ? [] : [toSchedulerConfig(d.lrScheduler, d.monitor)];
  return { optimizer: d.optimizer, configs };
}

function isDict(x: unknown): x is OptimizerConfigDict {
  return typeof x === 'object' && x !== null && !(x instanceof Optimizer) && !Array.isArray(x) && 'optimizer' in x;
}

/** Normalise the output of `configureOptimizers()`. */
export function parseOptimizerConfig(out: OptimizerConfigOutput): OptimizerSetup {
  if (out === null || out === undefined) return { optimizers: [], lrSchedulerConfigs: [] };
  if (out instanceof Optimizer) return { optimizers: [out], lrSchedulerConfigs: [] };
  if (isDict(out)) {
    const { optimizer, configs } = fromDict(out);
    return { optimizers: [optimizer], lrSchedulerConfigs: configs };
  }
  if (Array.isArray(out)) {
    const items = out as unknown[];
    if (items.length === 2 && Array.isArray(items[0]) && items[0].every((o) => o instanceof Optimizer)) {
      const schedulers = Array.isArray(items[1]) ? (items[1] as unknown[]) : [items[1]];
      return { optimizers: items[0] as Optimizer[], lrSchedulerConfigs: schedulers.map((s) => toSchedulerConfig(s, undefined)) };
    }
    if (items.every((o) => o instanceof Optimizer)) return { optimizers: items as Optimizer[], lrSchedulerConfigs: [] };
    if (items.every(isDict)) {
      const parsed = items.map(fromDict);
      return { optimizers: parsed.map((p) => p.optimizer), lrSchedulerConfigs: parsed.flatMap((p) => p.configs) };
    }
  }
  throw new MisconfigurationError(`Unknown configuration for model optimizers: received ${describeValue(out)}.`, UNKNOWN_FORMAT_HINT);
}
