/** Activation functions and `linear`/`dropout` with `torch.nn.functional`'s names, defaults and dim semantics. */
import { LightningError, MisconfigurationError } from '../../errors.js';
import { tf } from '../../runtime/tf.js';
import type { Tensor } from '../../runtime/tf.js';

/** Resolve a possibly negative `dim` against `rank`, with a clear error when it is out of range. */
export function normalizeDim(dim: number, rank: number, what = 'dim'): number {
  const d = dim < 0 ? dim + rank : dim;
  if (!Number.isInteger(d) || d < 0 || d >= Math.max(rank, 1)) {
    throw new LightningError(
      `${what}=${dim} is out of range for a tensor of rank ${rank}.`,
      `Use a ${what} in [${-rank}, ${rank - 1}].`,
    );
  }
  return d;
}

/** Apply a last-axis op along `dim` by swapping `dim` with the last axis around it. */
function alongDim(x: Tensor, dim: number, op: (t: Tensor) => Tensor): Tensor {
  const d = normalizeDim(dim, x.rank);
  if (d === x.rank - 1 || x.rank === 0) return op(x);
  return tf.tidy(() => {
    const perm = x.shape.map((_, i) => i);
    perm[d] = x.rank - 1;
    perm[x.rank - 1] = d;
    return tf.transpose(op(tf.transpose(x, perm)), perm);
  });
}

/** `relu(x) = max(x, 0)`. */
export function relu(x: Tensor): Tensor {
  return tf.relu(x);
}

/** `leaky_relu(x, negative_slope=0.01)`. */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return tf.leakyRelu(x, negativeSlope);
}

/** How `gelu` is computed: the exact erf form (`'none'`, PyTorch's default) or the tanh approximation. */
export type GeluApproximate = 'none' | 'tanh';

/** `gelu(x, approximate='none')`: x·Φ(x) with the exact erf, or PyTorch's tanh approximation. */
export function gelu(x: Tensor, approximate: GeluApproximate = 'none'): Tensor {
  if (approximate !== 'none' && approximate !== 'tanh') {
    throw new MisconfigurationError(`gelu approximate must be 'none' or 'tanh'; received ${String(approximate)}.`);
  }
  return tf.tidy(() => {
    const half = tf.mul(x, 0.5);
    if (approximate === 'tanh') {
      const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
      return tf.mul(half, tf.add(tf.tanh(inner), 1));
    }
    return tf.mul(half, tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
  });
}

/** `silu(x) = x·sigmoid(x)` (also called swish). */
export function silu(x: Tensor): Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}

/** `sigmoid(x) = 1 / (1 + e^-x)`. */
export function sigmoid(x: Tensor): Tensor {
  return tf.sigmoid(x);
}

/** `tanh(x)`. */
export function tanh(x: Tensor): Tensor {
  return tf.tanh(x);
}

/** `softmax(x, dim)`: normalised exponentials along `dim` (PyTorch requires `dim`; so do we). */
export function softmax(x: Tensor, dim: number): Tensor {
  return alongDim(x, dim, (t) => tf.softmax(t));
}

/** `log_softmax(x, dim)`: numerically stable log of `softmax(x, dim)`. */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return alongDim(x, dim, (t) => (t.rank === 2 && t.dtype === 'float32' && tf.getKernel(FUSED_LOG_SOFTMAX, tf.getBackend()) !== undefined ? tf.engine().runKernel<Tensor>(FUSED_LOG_SOFTMAX, { logits: t }) : tf.logSoftmax(t)));
}

/** A backend's one-pass log-softmax over the last axis of a 2-D tensor (the native backend registers it with its gradient). */
const FUSED_LOG_SOFTMAX = 'LightningLogSoftmax';

/**
 * `dropout(x, p=0.5, training=true)`: zero each element with probability `p` and scale the rest by 1/(1-p)
 * (inverted dropout); the identity when not training or `p` is 0.
 */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  if (!(p >= 0 && p <= 1)) {
    throw new MisconfigurationError(`dropout probability must be in [0, 1]; received ${p}.`);
  }
  if (!training || p === 0) return x;
  if (p === 1) return tf.zerosLike(x);
  return tf.dropout(x, p);
}

/** `linear(x, weight, bias?)`: x Wᵀ + b over the last dimension, `weight` in PyTorch's `[out, in]` layout. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  const [outFeatures, inFeatures] = weight.shape as [number, number];
  if (x.shape[x.rank - 1] !== inFeatures) {
    throw new LightningError(
      `linear: the input's last dimension is ${x.shape[x.rank - 1]}, but the weight [${weight.shape.join(', ')}] expects ${inFeatures}.`,
      'The weight is [out_features, in_features] (PyTorch layout); check the layer sizes or reshape the input.',
    );
  }
  return tf.tidy(() => {
    const flat = x.rank === 2 ? x : tf.reshape(x, [-1, inFeatures]);
    // The bias rides in the product's epilogue (one _FusedMatMul kernel instead of MatMul + Add, same numbers:
    // the cpu and native backends add the bias after the product, and its gradient is the same column sum).
    // Not on wasm, whose XNNPACK kernel starts the accumulators at the bias (a different float32 rounding).
    const y =
      bias === undefined
        ? tf.matMul(flat, weight, false, true)
        : bias.rank === 1 && bias.dtype === 'float32' && flat.dtype === 'float32' && tf.getBackend() !== 'wasm'
          ? flat.rank === 2 && tf.getGradient('_FusedMatMul') !== undefined
            ? tf.engine().runKernel<Tensor>('_FusedMatMul', { a: flat, b: weight, bias }, { transposeA: false, transposeB: true, activation: 'linear' })
            : tf.fused.matMul({ a: flat, b: weight, transposeB: true, bias })
          : tf.add(tf.matMul(flat, weight, false, true), bias);
    return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), outFeatures]);
  });
}
