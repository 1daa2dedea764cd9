/** `LambdaCallback`: a callback built from functions, for one-off hooks without a class. */
import type { CallbackHooks } from '../core/hooks.js';
import { Callback } from './callback.js';

/**
 * A callback whose hooks are the functions passed in.
 *
 * @example
 * new LambdaCallback({ onTrainEpochEnd: (trainer) => console.log(`epoch ${trainer.currentEpoch} done`) });
 */
export class LambdaCallback extends Callback {
  constructor(hooks: CallbackHooks) {
    super();
    for (const [name, fn] of Object.entries(hooks)) {
      if (typeof fn === 'function') Object.defineProperty(this, name, { value: fn, enumerable: false, writable: true });
    }
  }
}
