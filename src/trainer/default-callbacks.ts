/** The callbacks a Trainer adds by default (Lightning's `enable_checkpointing`, progress bar and summary flags). */
import type { CallbackLike } from '../core/hooks.js';
import { ModelCheckpoint } from '../callbacks/model-checkpoint.js';
import { ModelSummary } from '../callbacks/model-summary.js';
import { ProgressBar } from '../callbacks/progress/progress-bar.js';
import { ProgressBarBase } from '../callbacks/progress/progress-bar-base.js';
import type { ResolvedTrainerOptions } from './trainer-options.js';

/**
 * The user's callbacks plus the defaults the options ask for: a progress bar, a model summary and a ModelCheckpoint,
 * each unless one of its kind was given.
 */
export function defaultCallbacks(options: Readonly<ResolvedTrainerOptions>): CallbackLike[] {
  const callbacks = [...options.callbacks];
  if (options.enableProgressBar && !callbacks.some((cb) => cb instanceof ProgressBarBase)) callbacks.push(new ProgressBar());
  if (options.enableModelSummary && !callbacks.some((cb) => cb instanceof ModelSummary)) callbacks.push(new ModelSummary());
  if (options.enableCheckpointing && !callbacks.some((cb) => cb.kind === 'checkpoint')) callbacks.push(new ModelCheckpoint());
  return callbacks;
}
