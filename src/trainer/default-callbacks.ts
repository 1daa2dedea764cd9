/** The callbacks a Trainer adds by default (Lightning's `enable_checkpointing`, progress bar and summary flags). */
import type { CallbackLike } from '../core/hooks.js';
import { ModelCheckpoint } from '../callbacks/model-checkpoint.js';
import type { ResolvedTrainerOptions } from './trainer-options.js';

/** The user's callbacks plus the defaults the options ask for (a ModelCheckpoint unless one was given). */
export function defaultCallbacks(options: Readonly<ResolvedTrainerOptions>): CallbackLike[] {
  const callbacks = [...options.callbacks];
  if (options.enableCheckpointing && !callbacks.some((cb) => cb.kind === 'checkpoint')) callbacks.push(new ModelCheckpoint());
  return callbacks;
}
