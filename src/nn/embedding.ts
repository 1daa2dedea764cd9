/**
 * `Embedding`: a lookup table `[numEmbeddings, embeddingDim]` initialised N(0, 1). Its weight gradient is a
 * one-hot matrix product rather than TF.js's `UnsortedSegmentSum`, so it trains on every backend (tfjs-wasm has
 * no such kernel), and the `paddingIdx` row never receives a gradient.
 */
import { LightningError, MisconfigurationError } from '../errors.js';
import { tf } from '../runtime/tf.js';
import type { Tensor } from '../runtime/tf.js';
import { floatOneHot } from './functional/reduction.js';
import { initParameter, normal } from './init.js';
import { Module } from './module.js';
import type { Parameter } from './parameter.js';

/** Options of `Embedding`. */
export interface EmbeddingOptions {
  /** This index's row starts at zero and gets no gradient (negative counts from the end). Default: none. */
  paddingIdx?: number;
}

/**
 * Look up rows of `weight` for integer `indices` (any shape) → `[...indices.shape, dim]`; d weight is
 * oneHot(indices)ᵀ·d out, with the `paddingIdx` row zeroed.
 */
export function embedding(indices: Tensor, weight: Tensor, paddingIdx?: number): Tensor {
  const [num, dim] = weight.shape as [number, number];
  return tf.tidy(() => {
    const flat = tf.reshape(indices.dtype === 'int32' ? indices : tf.cast(indices, 'int32'), [-1]);
    const lookup = tf.customGrad((...args) => {
      const value = tf.gather(args[0] as Tensor, flat);
      const gradFunc = (dy: Tensor): Tensor => {
        const oneHot = floatOneHot(flat, num);
        const dw = tf.matMul(tf.transpose(oneHot), dy); // no transposeA flag: slow on wasm
        if (paddingIdx === undefined) return dw;
        const keep = floatOneHot(tf.tensor1d([paddingIdx], 'int32'), num, 0, 1);
        return tf.mul(dw, tf.reshape(keep, [num, 1]));
      };
      return { value, gradFunc };
    });
    return tf.reshape(lookup(weight), [...indices.shape, dim]);
  });
}

/** A table of `numEmbeddings` vectors of size `embeddingDim`, looked up by integer index (`torch.nn.Embedding`). */
export class Embedding extends Module<[Tensor], Tensor> {
  readonly weight: Parameter;
  readonly paddingIdx: number | undefined;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: EmbeddingOptions = {},
  ) {
    super();
    let pad = options.paddingIdx;
    if (pad !== undefined) {
      if (!Number.isInteger(pad) || pad >= numEmbeddings || pad < -numEmbeddings) {
        throw new MisconfigurationError(`Embedding paddingIdx must be an integer in [${-numEmbeddings}, ${numEmbeddings - 1}]; received ${pad}.`);
      }
      if (pad < 0) pad += numEmbeddings;
    }
    this.paddingIdx = pad;
    this.weight = initParameter(() => {
      const w = normal([numEmbeddings, embeddingDim]);
      if (pad === undefined) return w;
      const keep = floatOneHot(tf.tensor1d([pad], 'int32'), numEmbeddings, 0, 1);
      return tf.add(tf.mul(w, tf.reshape(keep, [numEmbeddings, 1])), 0); // + 0 turns −0 into 0, as PyTorch's fill
    });
  }

  override forward(indices: Tensor): Tensor {
    if (indices.dtype !== 'int32' && indices.dtype !== 'float32') {
      throw new LightningError(`Embedding expects integer indices; received a ${indices.dtype} tensor.`, "Pass tf.tensor(ids, shape, 'int32').");
    }
    return embedding(indices, this.weight.value, this.paddingIdx);
  }
}
