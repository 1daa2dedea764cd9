/** `OnExceptionCheckpoint`: save the whole training state when fit fails, so nothing trained is lost. */
import { joinPath } from '../loggers/file-system.js';
import type { TrainerContext } from '../core/trainer-context.js';
import { Callback } from './callback.js';

/** Saves `<dirpath>/<filename>.ckpt` when an exception (or an interrupt) ends fit. */
export class OnExceptionCheckpoint extends Callback {
  override readonly kind = 'checkpoint' as const;
  readonly path: string;

  constructor(options: { dirpath: string; filename?: string }) {
    super();
    this.path = joinPath(options.dirpath, `${options.filename ?? 'on_exception'}.ckpt`);
  }

  override async onException(trainer: TrainerContext): Promise<void> {
    if (trainer.state.fn === 'fit') await trainer.saveCheckpoint(this.path);
  }
}
