/** Building a run's callback list: trainer callbacks, the module's `configureCallbacks()`, Lightning's order. */
import type { CallbackLike } from '../core/hooks.js';

/** Module callbacks replace trainer callbacks of the same class; tuner callbacks go first, checkpoint ones last. */
export function mergeCallbacks(trainerCallbacks: readonly CallbackLike[], moduleCallbacks: readonly CallbackLike[]): CallbackLike[] {
  const overridden = new Set(moduleCallbacks.map((cb) => cb.constructor));
  const kept = trainerCallbacks.filter((cb) => !overridden.has(cb.constructor));
  const all = [...kept, ...moduleCallbacks];
  const rank = (cb: CallbackLike): number => (cb.kind === 'tuner' ? 0 : cb.kind === 'checkpoint' ? 2 : 1);
  return all.map((cb, i) => [cb, i] as const).sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1]).map(([cb]) => cb);
}
