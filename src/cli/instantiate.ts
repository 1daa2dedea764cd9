/**
 * From a validated config to objects: the Trainer's options (loggers and callbacks constructed from class specs),
 * the model and datamodule, and the `optimizer` / `lrScheduler` sections that replace `configureOptimizers`.
 */
import type { CallbackLike } from '../core/hooks.js';
import type { LightningModule } from '../core/module.js';
import type { LrSchedulerConfigInput, OptimizerConfigOutput, SchedulerLike } from '../core/optimizer-config.js';
import type { LoggerLike } from '../core/trainer-context.js';
import { Optimizer } from '../optim/optimizer.js';
import type { TrainerOptions } from '../trainer/trainer-options.js';
import { warn } from '../utilities/warnings.js';
import { construct, loadClass } from './class-loader.js';
import type { AnyClass } from './class-loader.js';
import { ConfigError } from './errors.js';
import { isPlainObject } from './merge.js';
import type { ClassSpec, LrSchedulerSpec, TrainerConfig } from './schema.js';
import { TRAINER_DEFAULTS } from './schema.js';
import { validateInitArgs } from './validate.js';

type PlainTrainerConfig = {
  [K in Exclude<keyof TrainerConfig, 'logger' | 'callbacks'>]?: Exclude<TrainerConfig[K], null> | (K extends 'checkValEveryNEpochs' ? null : never);
};
/** Compile-time proof that the trainer section's values fit `TrainerOptions` (the schema mirrors it). */
const asTrainerOptions = (config: PlainTrainerConfig): TrainerOptions => config;
/** Compile-time proof of the other direction: every `TrainerOptions` key has a config key. */
const _mirrorsEveryOption: [Exclude<keyof TrainerOptions, keyof TrainerConfig>] extends [never] ? true : never = true;

/** Recursively construct `{ classPath, initArgs }` objects nested in initArgs (e.g. an injected backbone). */
async function instantiateNested(value: unknown, path: string): Promise<unknown> {
  if (Array.isArray(value)) return await Promise.all(value.map((v, i) => instantiateNested(v, `${path}.${i}`)));
  if (!isPlainObject(value)) return value;
  const keys = Object.keys(value);
  if (typeof value.classPath === 'string' && keys.every((k) => k === 'classPath' || k === 'initArgs')) {
    return await instantiate({ classPath: value.classPath, initArgs: isPlainObject(value.initArgs) ? value.initArgs : undefined }, path);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = await instantiateNested(v, `${path}.${k}`);
  return out;
}

/**
 * The constructor arguments of a spec: none without initArgs (so constructor defaults apply), else one object,
 * checked against the class's `static initArgsSchema` when it has one.
 */
async function constructorArgs(cls: AnyClass, initArgs: Record<string, unknown> | undefined, path: string): Promise<unknown[]> {
  const checked = validateInitArgs(cls, initArgs, path);
  return checked === undefined ? [] : [await instantiateNested(checked, `${path}.initArgs`)];
}

/** Load and construct a class spec (`path` is its dotted config path, e.g. `trainer.callbacks.0`). */
export async function instantiate(spec: { classPath: string; initArgs?: Record<string, unknown> | undefined }, path: string, cls?: AnyClass): Promise<unknown> {
  const resolved = cls ?? (await loadClass(spec.classPath, `${path}.classPath`));
  return construct(resolved, await constructorArgs(resolved, spec.initArgs, path), path);
}

/** Construct `cls` (or the spec's classPath) and check the instance with `accept`. */
export async function instantiateComponent<T>(
  spec: { classPath?: string | undefined; initArgs?: Record<string, unknown> | undefined } | null,
  path: string,
  given: AnyClass | undefined,
  check: { accept: (value: unknown) => value is T; what: string },
): Promise<T | undefined> {
  const classPath = spec?.classPath;
  if (classPath === undefined && given === undefined) {
    if (spec !== null && spec.initArgs !== undefined) throw ConfigError.at(`${path}.classPath`, 'missing: initArgs were given but no class', `Add ${path}.classPath, e.g. "./${path}.ts#My${path === 'model' ? 'Model' : 'DataModule'}".`);
    return undefined;
  }
  const cls = classPath !== undefined ? await loadClass(classPath, `${path}.classPath`) : given;
  if (cls === undefined) return undefined;
  const instance = construct(cls, await constructorArgs(cls, spec?.initArgs, path), path);
  if (!check.accept(instance)) {
    throw ConfigError.at(classPath !== undefined ? `${path}.classPath` : path, `${cls.name} is not ${check.what}`, `Point ${path}.classPath at a class that extends ${check.what} (imported from the same lightning-ts the CLI runs).`);
  }
  return instance;
}

function isCallback(value: unknown): value is CallbackLike {
  return typeof value === 'object' && value !== null && typeof (value as { stateKey?: unknown }).stateKey === 'string';
}

function isLogger(value: unknown): value is LoggerLike {
  return typeof value === 'object' && value !== null && typeof (value as { logMetrics?: unknown }).logMetrics === 'function';
}

async function instantiateChecked<T>(spec: ClassSpec, path: string, accept: (v: unknown) => v is T, what: string): Promise<T> {
  const value = await instantiate(spec, path);
  if (!accept(value)) throw ConfigError.at(`${path}.classPath`, `${spec.classPath} is not ${what}`, `Point ${path}.classPath at ${what} class.`);
  return value;
}

/**
 * `TrainerOptions` from the trainer section. Values equal to the default are left out (the Trainer applies the
 * same defaults), so a saved config behaves exactly like the run that wrote it; null means "unset".
 */
export async function buildTrainerOptions(config: TrainerConfig, extraCallbacks: readonly CallbackLike[] = []): Promise<TrainerOptions> {
  const plain: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (key === 'logger' || key === 'callbacks') continue;
    const fallback = (TRAINER_DEFAULTS as Record<string, unknown>)[key];
    if (value === fallback || (value === null && key !== 'checkValEveryNEpochs')) continue;
    plain[key] = value;
  }
  const options = asTrainerOptions(plain);
  const { logger } = config;
  if (logger !== true) {
    options.logger = typeof logger === 'boolean'
      ? logger
      : Array.isArray(logger)
        ? await Promise.all(logger.map((spec, i) => instantiateChecked(spec, `trainer.logger.${i}`, isLogger, 'a logger')))
        : await instantiateChecked(logger, 'trainer.logger', isLogger, 'a logger');
  }
  const callbacks = await Promise.all(config.callbacks.map((spec, i) => instantiateChecked(spec, `trainer.callbacks.${i}`, isCallback, 'a Callback')));
  if (callbacks.length + extraCallbacks.length > 0) options.callbacks = [...callbacks, ...extraCallbacks];
  return options;
}

function checkOptimizer(value: unknown, path: string): Optimizer {
  if (!isOptimizer(value)) throw ConfigError.at(`${path}.classPath`, `${String((value as object).constructor?.name)} is not an optimizer`, 'Use an optimizer of lightning-ts, e.g. "lightning-ts#Adam".');
  return value;
}

function isOptimizer(value: unknown): value is Optimizer {
  return value instanceof Optimizer;
}

function schedulerEntry(scheduler: SchedulerLike, spec: LrSchedulerSpec): SchedulerLike | LrSchedulerConfigInput {
  if (spec.interval === undefined && spec.frequency === undefined && spec.monitor === undefined) return scheduler;
  const config: LrSchedulerConfigInput = { scheduler };
  if (spec.interval !== undefined) config.interval = spec.interval;
  if (spec.frequency !== undefined) config.frequency = spec.frequency;
  if (spec.monitor !== undefined) config.monitor = spec.monitor;
  return config;
}

/**
 * Replace the module's `configureOptimizers` with the config's `optimizer` (built over `module.parameters()`, with
 * initArgs as its options) and `lrScheduler` (built over that optimizer), as LightningCLI does. The replacement is
 * an instance property, so the class (and other instances) keep their own method. With only `lrScheduler`, the
 * module's own `configureOptimizers` must return a single optimizer, which the scheduler then drives.
 */
export async function overrideConfigureOptimizers(module: LightningModule, optimizer: ClassSpec | null, lrScheduler: LrSchedulerSpec | null): Promise<void> {
  if (optimizer === null && lrScheduler === null) return;
  const optimizerClass = optimizer === null ? undefined : await loadClass(optimizer.classPath, 'optimizer.classPath');
  const schedulerClass = lrScheduler === null ? undefined : await loadClass(lrScheduler.classPath, 'lrScheduler.classPath');
  const optimizerArgs = optimizerClass === undefined ? undefined : validateInitArgs(optimizerClass, optimizer?.initArgs, 'optimizer');
  const schedulerArgs = schedulerClass === undefined ? undefined : validateInitArgs(schedulerClass, lrScheduler?.initArgs, 'lrScheduler');
  const original = module.configureOptimizers?.bind(module);
  if (optimizerClass !== undefined && original !== undefined) {
    warn('LT2101', `${module.constructor.name}.configureOptimizers is replaced by the config's optimizer${lrScheduler !== null ? ' and lrScheduler' : ''} sections.`);
  }
  module.configureOptimizers = (): OptimizerConfigOutput => {
    let opt: Optimizer;
    if (optimizerClass !== undefined) {
      opt = checkOptimizer(construct(optimizerClass, [module.parameters(), optimizerArgs ?? {}], 'optimizer'), 'optimizer');
    } else {
      const own: unknown = original?.();
      if (!isOptimizer(own)) {
        throw ConfigError.at('lrScheduler', 'the lrScheduler section needs a single optimizer, but the module\'s configureOptimizers() does not return one', 'Add an optimizer section (e.g. optimizer: { classPath: "lightning-ts#Adam", initArgs: { lr: 0.001 } }).');
      }
      opt = own;
    }
    if (schedulerClass === undefined || lrScheduler === null) return opt;
    const args = schedulerArgs === undefined ? [opt] : [opt, schedulerArgs];
    const scheduler = construct(schedulerClass, args, 'lrScheduler') as SchedulerLike;
    return { optimizer: opt, lrScheduler: schedulerEntry(scheduler, lrScheduler) };
  };
}
