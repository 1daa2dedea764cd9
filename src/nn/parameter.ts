/** Trainable parameters and persistent buffers: the tensors a `Module` owns and a state dict names. */
import { tf } from '../runtime/tf.js';
import type { Tensor, Variable } from '../runtime/tf.js';

/** A trainable tensor, like `torch.nn.Parameter`: a `tf.Variable` plus an accumulating `.grad`. */
export class Parameter {
  /** The live value; use it directly in ops (`tf.matMul(x, p.value)`). */
  readonly value: Variable;
  /** Accumulated gradient, or null after `zeroGrad()` (PyTorch's `set_to_none=True`). */
  grad: Tensor | null = null;
  /** Whether gradients are computed for this parameter. */
  requiresGrad: boolean;

  /** Takes ownership of `initial` (it is disposed; the parameter keeps the data), like PyTorch wrapping a tensor. */
  constructor(initial: Tensor, options: { requiresGrad?: boolean } = {}) {
    this.value = tf.variable(initial, true);
    if (!initial.isDisposed) initial.dispose();
    this.requiresGrad = options.requiresGrad ?? true;
  }

  /** Shape of the parameter. */
  get shape(): number[] {
    return this.value.shape;
  }

  /** Number of elements. */
  get size(): number {
    return this.value.size;
  }

  /** Overwrite the value in place (shape must match). */
  assign(value: Tensor): void {
    this.value.assign(value.dtype === this.value.dtype ? value : tf.cast(value, this.value.dtype));
  }

  /** Add `g` to `.grad` (kept outside any `tf.tidy`); `g` itself is not consumed. */
  accumulateGrad(g: Tensor): void {
    const previous = this.grad;
    this.grad = tf.keep(previous === null ? tf.clone(g) : tf.add(previous, g));
    previous?.dispose();
  }

  /** Replace `.grad` with `g` (kept); the previous gradient is disposed. */
  setGrad(g: Tensor | null): void {
    const previous = this.grad;
    this.grad = g === null ? null : tf.keep(g);
    if (previous !== null && previous !== g) previous.dispose();
  }

  /** Drop the gradient (set to none). */
  zeroGrad(): void {
    this.setGrad(null);
  }

  /** Free the value and gradient. */
  dispose(): void {
    this.zeroGrad();
    this.value.dispose();
  }
}

/** A non-trainable tensor that belongs to the module's state (e.g. BatchNorm's running statistics). */
export class Buffer {
  /** The live value. */
  readonly value: Variable;
  /** Whether it is part of `stateDict()` (PyTorch's `persistent`). */
  readonly persistent: boolean;

  /** Takes ownership of `initial` (it is disposed; the buffer keeps the data). */
  constructor(initial: Tensor, options: { persistent?: boolean } = {}) {
    this.value = tf.variable(initial, false);
    if (!initial.isDisposed) initial.dispose();
    this.persistent = options.persistent ?? true;
  }

  /** Shape of the buffer. */
  get shape(): number[] {
    return this.value.shape;
  }

  /** Overwrite the value in place. */
  assign(value: Tensor): void {
    this.value.assign(value.dtype === this.value.dtype ? value : tf.cast(value, this.value.dtype));
  }

  /** Free the value. */
  dispose(): void {
    this.value.dispose();
  }
}
