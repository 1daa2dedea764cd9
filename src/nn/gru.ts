/** `GRU` with PyTorch's parameters (`weight_ih_l0`, ...), gate order (r, z, n), shapes and initialisation. */
import { tf } from '../runtime/tf.js';
import type { Tensor } from '../runtime/tf.js';
import { RecurrentBase } from './recurrent.js';
import type { CellWeights, RecurrentOptions } from './recurrent.js';

/** Options of `GRU`. */
export type GRUOptions = RecurrentOptions;

/** `[output, h_n]`, as `torch.nn.GRU` returns. */
export type GRUOutput = [Tensor, Tensor];

/** A multi-layer gated recurrent unit network (`torch.nn.GRU`); `forward(input, h0?)`. */
export class GRU extends RecurrentBase<[input: Tensor, hx?: Tensor], GRUOutput> {
  // The candidate gate multiplies r with (W_hn h + b_hn), so b_hh cannot be folded into the input projection.
  protected readonly keepsHiddenBias = true;

  constructor(inputSize: number, hiddenSize: number, options: GRUOptions = {}) {
    super(inputSize, hiddenSize, 3, options);
  }

  protected cellStep(xt: Tensor, state: Tensor[], weights: CellWeights): Tensor[] {
    const h = state[0] as Tensor;
    let hProj = tf.matMul(h, weights.weightHhT);
    if (weights.biasHh !== undefined) hProj = tf.add(hProj, weights.biasHh);
    const [xr, xz, xn] = tf.split(xt, 3, 1) as [Tensor, Tensor, Tensor];
    const [hr, hz, hn] = tf.split(hProj, 3, 1) as [Tensor, Tensor, Tensor];
    const r = tf.sigmoid(tf.add(xr, hr));
    const z = tf.sigmoid(tf.add(xz, hz));
    const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
    // h' = (1 - z)·n + z·h = n + z·(h - n)
    return [tf.add(n, tf.mul(z, tf.sub(h, n)))];
  }

  override forward(input: Tensor, hx?: Tensor): GRUOutput {
    return tf.tidy(() => {
      const { x, isBatched } = this.toSequenceFirst(input);
      const batch = x.shape[1] ?? 1;
      const h0 = this.initialState(hx, batch, isBatched, 'h_0');
      const { output, finals } = this.runLayers(x, h0.map((h) => [h]));
      const hN = this.stackStates(finals.map((s) => s[0] as Tensor), isBatched);
      return [this.fromSequenceFirst(output, isBatched), hN];
    });
  }
}
