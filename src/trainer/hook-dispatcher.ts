/**
 * Typed, ordered fan-out of hooks to callbacks, the module and the datamodule. Hook names are keys of the typed
 * interfaces (never built from strings); each call records the running hook for `log()` and the profiler.
 */
import type { CallbackHooks, CallbackLike, DataHooks, ModelHooks } from '../core/hooks.js';
import type { LightningModule } from '../core/module.js';
import type { TrainerContext } from '../core/trainer-context.js';
import type { LoggerConnector } from './logger-connector.js';

type AnyFn = (...args: unknown[]) => unknown;
type Tail2<T extends unknown[]> = T extends [unknown, unknown, ...infer R] ? R : never;
type CallbackHookName = keyof CallbackHooks;
type CallbackArgs<H extends CallbackHookName> = Tail2<Parameters<NonNullable<CallbackHooks[H]>>>;

/** Module methods the loops call by name (hooks plus the overridable steps). */
export type ModuleHookName = keyof ModelHooks | keyof DataHooks | keyof LightningModuleMethods;

interface LightningModuleMethods {
  trainingStep: unknown;
  validationStep: unknown;
  testStep: unknown;
  predictStep: unknown;
  configureOptimizers: unknown;
  configureCallbacks: unknown;
  configureModel: unknown;
  configureGradientClipping: unknown;
  clipGradients: unknown;
  optimizerStep: unknown;
  optimizerZeroGrad: unknown;
  lrSchedulerStep: unknown;
  backward: unknown;
  onValidationModelZeroGrad: unknown;
  onValidationModelEval: unknown;
  onValidationModelTrain: unknown;
  onTestModelEval: unknown;
  onTestModelTrain: unknown;
  onPredictModelEval: unknown;
}

/** Receives the duration of every hook call when a profiler is on. */
export type HookTimer = (action: string, ms: number) => void;

/** Calls hooks in Lightning's order: callbacks (in registration order) before the module. */
export class HookDispatcher {
  timer: HookTimer | undefined;

  constructor(
    private readonly ctx: TrainerContext,
    private readonly module: LightningModule,
    readonly callbacks: readonly CallbackLike[],
    private readonly connector: LoggerConnector,
  ) {}

  /** Await `hook` on every callback (optionally only monitoring or non-monitoring ones). */
  async callCallbacks<H extends CallbackHookName>(hook: H, args: CallbackArgs<H>, only?: 'monitoring' | 'nonMonitoring'): Promise<void> {
    for (const cb of this.callbacks) {
      const fn = cb[hook] as AnyFn | undefined;
      if (fn === undefined || !matches(cb, only)) continue;
      const r = this.timed(this.timer === undefined ? '' : `[Callback]${cb.stateKey}.${hook}`, hook, () => fn.call(cb, this.ctx, this.module, ...(args as unknown[])));
      if (r instanceof Promise) await r;
    }
  }

  /** Call a synchronous hook on every callback (hooks inside the optimizer step). */
  callCallbacksSync<H extends CallbackHookName>(hook: H, args: CallbackArgs<H>): void {
    for (const cb of this.callbacks) {
      const fn = cb[hook] as AnyFn | undefined;
      if (fn !== undefined) this.timed(this.timer === undefined ? '' : `[Callback]${cb.stateKey}.${hook}`, hook, () => fn.call(cb, this.ctx, this.module, ...(args as unknown[])));
    }
  }

  /** Await a module hook; returns its result (undefined when not defined). */
  async callModule(hook: ModuleHookName, ...args: unknown[]): Promise<unknown> {
    const r = this.callModuleSync(hook, ...args);
    return r instanceof Promise ? await r : r;
  }

  /** Call a module hook synchronously; returns its result. */
  callModuleSync(hook: ModuleHookName, ...args: unknown[]): unknown {
    const fn = (this.module as unknown as Record<string, AnyFn | undefined>)[hook];
    if (fn === undefined) return undefined;
    return this.timed(this.timer === undefined ? '' : `[LightningModule]${this.module.constructor.name}.${hook}`, hook, () => fn.apply(this.module, args));
  }

  /** Whether the module defines `hook`. */
  moduleHas(hook: ModuleHookName): boolean {
    return typeof (this.module as unknown as Record<string, unknown>)[hook] === 'function';
  }

  /** Callback hook then module hook, both awaited (the common pair). */
  async callBoth<H extends CallbackHookName & keyof ModelHooks>(hook: H, args: CallbackArgs<H>): Promise<void> {
    await this.callCallbacks(hook, args);
    await this.callModule(hook, ...(args as unknown[]));
  }

  /** Run `fn` as hook `fx` (for log() validation), timing it when a profiler is on. */
  timed<T>(action: string, fx: string, fn: () => T): T {
    const previous = this.connector.currentFx;
    this.connector.currentFx = fx;
    const start = this.timer === undefined ? 0 : performance.now();
    try {
      const r = fn();
      if (r instanceof Promise) {
        return r.finally(() => this.finish(action, start, previous)) as T;
      }
      this.finish(action, start, previous);
      return r;
    } catch (e) {
      this.finish(action, start, previous);
      throw e;
    }
  }

  private finish(action: string, start: number, previous: string | undefined): void {
    this.connector.currentFx = previous;
    if (this.timer !== undefined) this.timer(action, performance.now() - start);
  }
}

function matches(cb: CallbackLike, only: 'monitoring' | 'nonMonitoring' | undefined): boolean {
  if (only === undefined) return true;
  const monitoring = cb.kind === 'monitor' || cb.kind === 'checkpoint';
  return only === 'monitoring' ? monitoring : !monitoring;
}
