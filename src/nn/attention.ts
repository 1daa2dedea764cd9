/**
 * `MultiheadAttention` with PyTorch's parameters (`in_proj_weight`, `in_proj_bias`, `out_proj.*`, or separate
 * `q/k/v_proj_weight` when kdim/vdim differ), initialisation, masks and returned attention weights.
 */
import { LightningError, MisconfigurationError } from '../errors.js';
import { tf } from '../runtime/tf.js';
import type { Tensor } from '../runtime/tf.js';
import { xavierUniform, zeros } from './init.js';
import { Linear } from './linear.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';

/** Options of `MultiheadAttention`. */
export interface MultiheadAttentionOptions {
  /** Dropout probability on the attention weights (training only). Default: 0. */
  dropout?: number;
  /** Learn `in_proj_bias` and `out_proj.bias`. Default: true. */
  bias?: boolean;
  /** Inputs and output are `[batch, seq, feature]` instead of `[seq, batch, feature]`. Default: false. */
  batchFirst?: boolean;
  /** Feature size of `key`. Default: embedDim. */
  kdim?: number;
  /** Feature size of `value`. Default: embedDim. */
  vdim?: number;
}

/** Options of `MultiheadAttention.forward`. */
export interface AttentionForwardOptions {
  /** `[batch, srcLen]` (or `[srcLen]` unbatched): true (bool) marks keys to ignore; a float mask is added. */
  keyPaddingMask?: Tensor;
  /** `[tgtLen, srcLen]` or `[batch·numHeads, tgtLen, srcLen]`: true (bool) forbids attending; a float mask is added. */
  attnMask?: Tensor;
  /** Return the attention weights. Default: true. */
  needWeights?: boolean;
  /** Average the returned weights over heads (`[batch, tgt, src]`) instead of per head. Default: true. */
  averageAttnWeights?: boolean;
}

/** `[attnOutput, attnWeights]`; the weights are null when `needWeights` is false. */
export type AttentionOutput = [Tensor, Tensor | null];

/** Multi-head scaled dot-product attention (`torch.nn.MultiheadAttention`). */
export class MultiheadAttention extends Module<[Tensor, Tensor, Tensor, AttentionForwardOptions?], AttentionOutput> {
  readonly headDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly #packed: Parameter | undefined;
  readonly #separate: [Parameter, Parameter, Parameter] | undefined;
  readonly #inBias: Parameter | undefined;
  readonly #outProj: Linear;

  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    options: MultiheadAttentionOptions = {},
  ) {
    super();
    this.kdim = options.kdim ?? embedDim;
    this.vdim = options.vdim ?? embedDim;
    this.dropout = options.dropout ?? 0;
    this.batchFirst = options.batchFirst ?? false;
    this.headDim = Math.floor(embedDim / numHeads);
    if (!Number.isInteger(embedDim) || !Number.isInteger(numHeads) || numHeads < 1 || this.headDim * numHeads !== embedDim) {
      throw new MisconfigurationError(
        `MultiheadAttention needs embedDim divisible by numHeads; got embedDim=${embedDim}, numHeads=${numHeads}.`,
        'Choose numHeads that divides embedDim (e.g. embedDim 64 with 8 heads).',
      );
    }
    if (!(this.dropout >= 0 && this.dropout <= 1)) {
      throw new MisconfigurationError(`MultiheadAttention dropout must be in [0, 1]; got ${this.dropout}.`, 'Pass e.g. { dropout: 0.1 }.');
    }
    if (this.kdim === embedDim && this.vdim === embedDim) {
      this.#packed = new Parameter(tf.tidy(() => xavierUniform([3 * embedDim, embedDim])));
      this.registerParameter('in_proj_weight', this.#packed);
    } else {
      const [q, k, v] = [embedDim, this.kdim, this.vdim].map((d) => new Parameter(tf.tidy(() => xavierUniform([embedDim, d]))));
      this.#separate = [q as Parameter, k as Parameter, v as Parameter];
      this.registerParameter('q_proj_weight', this.#separate[0]);
      this.registerParameter('k_proj_weight', this.#separate[1]);
      this.registerParameter('v_proj_weight', this.#separate[2]);
    }
    const hasBias = options.bias ?? true;
    if (hasBias) {
      this.#inBias = new Parameter(zeros([3 * embedDim]));
      this.registerParameter('in_proj_bias', this.#inBias);
    }
    this.#outProj = new Linear(embedDim, embedDim, { bias: hasBias });
    this.#outProj.bias?.assign(tf.tidy(() => zeros([embedDim])));
    // PyTorch names the submodule `out_proj`; a private field plus registerModule gives that state-dict name.
    this.registerModule('out_proj', this.#outProj);
  }

  /** The output projection (`out_proj`), a `Linear(embedDim, embedDim)`. */
  get outProj(): Linear {
    return this.#outProj;
  }

  /** Project `x` `[len·batch, dim]` with the `index`-th (q, k, v) weight and bias slice. */
  private project(x: Tensor, index: number): Tensor {
    const e = this.embedDim;
    const w = this.#packed !== undefined ? tf.slice(this.#packed.value, [index * e, 0], [e, e]) : this.#separate?.[index]?.value;
    if (w === undefined) throw new LightningError('MultiheadAttention has no projection weights.', 'This is a bug; please report it.');
    let y = tf.matMul(x, tf.transpose(w));
    if (this.#inBias !== undefined) y = tf.add(y, tf.slice(this.#inBias.value, [index * e], [e]));
    return y;
  }

  override forward(query: Tensor, key: Tensor, value: Tensor, options: AttentionForwardOptions = {}): AttentionOutput {
    const needWeights = options.needWeights ?? true;
    const average = options.averageAttnWeights ?? true;
    const [out, weights] = tf.tidy(() => {
      const isBatched = query.rank === 3;
      this.checkInputs(query, key, value, isBatched);
      const toSeqFirst = (t: Tensor): Tensor =>
        !isBatched ? tf.expandDims(t, 1) : this.batchFirst ? tf.transpose(t, [1, 0, 2]) : t;
      const [q, k, v] = [toSeqFirst(query), toSeqFirst(key), toSeqFirst(value)] as [Tensor, Tensor, Tensor];
      const [tgtLen, batch] = q.shape as [number, number, number];
      const srcLen = k.shape[0] ?? 0;
      const h = this.numHeads;
      const d = this.headDim;
      const heads = (t: Tensor, len: number, index: number, perm: number[]): Tensor =>
        tf.transpose(tf.reshape(this.project(tf.reshape(t, [len * batch, -1]), index), [len, batch * h, d]), perm);
      const qh = tf.mul(heads(q, tgtLen, 0, [1, 0, 2]), 1 / Math.sqrt(d));
      const khT = heads(k, srcLen, 1, [1, 2, 0]);
      const vh = heads(v, srcLen, 2, [1, 0, 2]);
      let scores = tf.matMul(qh, khT);
      scores = this.applyMasks(scores, options, batch, tgtLen, srcLen, isBatched);
      let weights = tf.softmax(scores, -1);
      const attnProbs = this.training && this.dropout > 0 ? tf.dropout(weights, this.dropout) : weights;
      const context = tf.reshape(tf.transpose(tf.matMul(attnProbs, vh), [1, 0, 2]), [tgtLen * batch, this.embedDim]);
      let out = tf.reshape(this.outProj.call(context), [tgtLen, batch, this.embedDim]);
      out = !isBatched ? tf.squeeze(out, [1]) : this.batchFirst ? tf.transpose(out, [1, 0, 2]) : out;
      if (!needWeights) return [out];
      weights = tf.reshape(weights, [batch, h, tgtLen, srcLen]);
      if (average) weights = tf.mean(weights, 1);
      if (!isBatched) weights = tf.squeeze(weights, [0]);
      return [out, weights];
    });
    return [out, weights ?? null];
  }

  private checkInputs(query: Tensor, key: Tensor, value: Tensor, isBatched: boolean): void {
    const rank = isBatched ? 3 : 2;
    const ok =
      (query.rank === 2 || query.rank === 3) &&
      key.rank === rank &&
      value.rank === rank &&
      query.shape[rank - 1] === this.embedDim &&
      key.shape[rank - 1] === this.kdim &&
      value.shape[rank - 1] === this.vdim &&
      key.shape.slice(0, -1).every((s, i) => s === value.shape[i]);
    if (!ok) {
      throw new LightningError(
        `MultiheadAttention got query [${query.shape.join(', ')}], key [${key.shape.join(', ')}], value [${value.shape.join(', ')}].`,
        `Expected ${this.batchFirst ? '[batch, len, dim]' : '[len, batch, dim]'} (or unbatched [len, dim]) with dims ` +
          `${this.embedDim}, ${this.kdim}, ${this.vdim} and key/value of the same length.`,
      );
    }
  }

  /** Add `attnMask` and `keyPaddingMask` to the `[batch·heads, tgt, src]` scores (bool true → -∞). */
  private applyMasks(
    scores: Tensor,
    options: AttentionForwardOptions,
    batch: number,
    tgtLen: number,
    srcLen: number,
    isBatched: boolean,
  ): Tensor {
    const additive = (m: Tensor): Tensor =>
      m.dtype === 'bool' ? tf.where(m, tf.fill(m.shape, -Infinity), tf.zeros(m.shape)) : m;
    let out = scores;
    const { attnMask, keyPaddingMask } = options;
    if (attnMask !== undefined) {
      const ok2 = attnMask.rank === 2 && attnMask.shape[0] === tgtLen && attnMask.shape[1] === srcLen;
      const ok3 = attnMask.rank === 3 && [batch * this.numHeads, tgtLen, srcLen].every((d, i) => attnMask.shape[i] === d);
      if (!ok2 && !ok3) {
        throw new LightningError(
          `attnMask must have shape [${tgtLen}, ${srcLen}] or [${batch * this.numHeads}, ${tgtLen}, ${srcLen}]; got [${attnMask.shape.join(', ')}].`,
          'Use [tgtLen, srcLen] for one mask shared by every sequence, or [batch·numHeads, tgtLen, srcLen].',
        );
      }
      out = tf.add(out, additive(attnMask));
    }
    if (keyPaddingMask !== undefined) {
      const expected = isBatched ? [batch, srcLen] : [srcLen];
      if (keyPaddingMask.rank !== expected.length || keyPaddingMask.shape.some((s, i) => s !== expected[i])) {
        throw new LightningError(
          `keyPaddingMask must have shape [${expected.join(', ')}]; got [${keyPaddingMask.shape.join(', ')}].`,
          'Pass one row per batch element with one entry per key (true = ignore that key).',
        );
      }
      const perHead = tf.reshape(out, [batch, this.numHeads, tgtLen, srcLen]);
      const padding = tf.reshape(additive(keyPaddingMask), [batch, 1, 1, srcLen]);
      out = tf.reshape(tf.add(perHead, padding), [batch * this.numHeads, tgtLen, srcLen]);
    }
    return out;
  }
}
