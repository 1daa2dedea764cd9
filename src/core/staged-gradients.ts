/** Gradients computed together with a loss (TF.js differentiates closures), waiting for `backward()` to apply them. */
import type { Parameter } from '../nn/parameter.js';
import type { Tensor } from '../runtime/tf.js';

interface Staged {
  params: Parameter[];
  grads: Array<Tensor | null>;
}

const staged = new WeakMap<object, Staged>();

/** Hold `grads` (one per param, null where unconnected) for `owner` until `applyStagedGradients`. */
export function stageGradients(owner: object, params: Parameter[], grads: Array<Tensor | null>): void {
  discardStagedGradients(owner);
  staged.set(owner, { params, grads });
}

/** Accumulate the staged gradients into each parameter's `.grad` and free them. */
export function applyStagedGradients(owner: object): void {
  const s = staged.get(owner);
  if (s === undefined) return;
  staged.delete(owner);
  s.params.forEach((p, i) => {
    const g = s.grads[i];
    if (g === undefined || g === null) return;
    if (p.grad === null) p.setGrad(g);
    else {
      p.accumulateGrad(g);
      g.dispose();
    }
  });
}

/** Free staged gradients that were never applied (e.g. a `backward` override that skipped them). */
export function discardStagedGradients(owner: object): void {
  const s = staged.get(owner);
  if (s === undefined) return;
  staged.delete(owner);
  for (const g of s.grads) g?.dispose();
}
