/**
 * Gradients of a closure, the TF.js way: `valueAndGrads(f, params)` runs `f` under the tape and returns its
 * value and the gradient of each parameter that requires grad (null where the loss does not depend on it).
 */
import { LightningError } from '../errors.js';
import { tf } from './tf.js';
import type { Scalar, Tensor, Variable } from './tf.js';

/** A value and the gradients of the trainable variables it depends on. */
export interface ValueAndGrads {
  /** The scalar the closure returned (kept: dispose it when done). */
  value: Scalar;
  /** One entry per variable passed in; null where the value does not depend on it (kept: dispose them). */
  grads: Array<Tensor | null>;
}

/** Compute `f()` and d f / d v for each variable in `vars`; tensors created by `f` are freed except the value. */
export function valueAndGrads(f: () => Tensor, vars: Variable[]): ValueAndGrads {
  const engine = tf.engine();
  const { value, grads } = engine.gradients(
    () => {
      const v = f();
      if (v.rank !== 0) {
        throw new LightningError(
          `The loss to differentiate must be a scalar; got a tensor of shape [${v.shape.join(', ')}].`,
          'Reduce it first, e.g. tf.mean(loss) or tf.sum(loss).',
        );
      }
      return v as Scalar;
    },
    vars,
    undefined,
    true,
  );
  const out: Array<Tensor | null> = grads.map((g) => (g === undefined || g === null ? null : g));
  return { value: value, grads: out };
}
