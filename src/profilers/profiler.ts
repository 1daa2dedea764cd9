/**
 * Profilers time named actions of a run (every hook the Trainer calls is one: `[Callback]ModelCheckpoint.onTrainBatchEnd`,
 * `[LightningModule]LitModel.trainingStep`) and report them at the end.
 */
import type { Awaitable } from '../core/hooks.js';

/** The surface the Trainer uses. */
export interface Profiler {
  /** Called once before the run: the stage (`fit`, `validate`, ...) and the directory for report files. */
  setup(stage: string, logDir: string): Awaitable<void>;
  /** Record one call of `action` that took `durationMs`. */
  record(action: string, durationMs: number): void;
  /** Time `fn` (sync or async) as `action` and return its result. */
  profile<T>(action: string, fn: () => T): T;
  /** The report as text. */
  summary(): string;
  /** Print and save the report (called when the run ends). */
  describe(): Awaitable<void>;
  /** Release resources (called after `describe`). */
  teardown(): Awaitable<void>;
}

/** A profiler that records nothing (Lightning's `PassThroughProfiler`). */
export class PassThroughProfiler implements Profiler {
  setup(): void {}
  record(_action: string, _durationMs: number): void {}
  profile<T>(_action: string, fn: () => T): T {
    return fn();
  }
  summary(): string {
    return '';
  }
  describe(): void {}
  teardown(): void {}
}

/** Time `fn` with `clock` and report it to `record`, also when `fn` returns a promise or throws. */
export function timeCall<T>(clock: () => number, record: (ms: number) => void, fn: () => T): T {
  const start = clock();
  let result: T;
  try {
    result = fn();
  } catch (e) {
    record(clock() - start);
    throw e;
  }
  if (result instanceof Promise) return result.finally(() => record(clock() - start)) as T;
  record(clock() - start);
  return result;
}
