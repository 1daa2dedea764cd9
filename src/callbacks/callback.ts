/** `Callback`: the base class for everything non-essential around the loop (checkpoints, progress, monitors). */
import type { CallbackHooks, CallbackLike } from '../core/hooks.js';

/**
 * Base class of callbacks: override any hook of `CallbackHooks` (all optional, typed) and, for state that
 * must survive a resume, `stateDict` / `loadStateDict`.
 *
 * @example
 * class PrintEpoch extends Callback {
 *   override onTrainEpochEnd(trainer: TrainerContext) { console.log(`epoch ${trainer.currentEpoch} done`); }
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- hooks are declared once in CallbackHooks
export abstract class Callback implements CallbackLike {
  /** Ordering class: tuner callbacks first, checkpoint callbacks last, monitors after the module in `onTrainEpochEnd`. */
  readonly kind: 'tuner' | 'checkpoint' | 'monitor' | 'other' = 'other';

  /** Key of this callback's state in checkpoints; override with `generateStateKey` when several instances may coexist. */
  get stateKey(): string {
    return this.constructor.name;
  }

  /** State saved in checkpoints (an empty object saves nothing). */
  stateDict(): Record<string, unknown> {
    return {};
  }

  /** Restore what `stateDict` returned. */
  loadStateDict(_state: Record<string, unknown>): void {}
}

// Hooks are declared once in `CallbackHooks` and merged into the class.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface Callback extends CallbackHooks {}

/** A state key that tells instances apart by their configuration, e.g. `ModelCheckpoint{"monitor":"val_loss"}`. */
export function generateStateKey(name: string, config: Record<string, unknown>): string {
  return `${name}${JSON.stringify(config)}`;
}
