/** `LSTM` with PyTorch's parameters (`weight_ih_l0`, ...), gate order (i, f, g, o), shapes and initialisation. */
import { tf } from '../runtime/tf.js';
import type { Tensor } from '../runtime/tf.js';
import { RecurrentBase } from './recurrent.js';
import type { CellWeights, RecurrentOptions } from './recurrent.js';

/** Options of `LSTM`. */
export type LSTMOptions = RecurrentOptions;

/** `[output, [h_n, c_n]]`, as `torch.nn.LSTM` returns. */
export type LSTMOutput = [Tensor, [Tensor, Tensor]];

/** A multi-layer long short-term memory network (`torch.nn.LSTM`); `forward(input, [h0, c0]?)`. */
export class LSTM extends RecurrentBase<[input: Tensor, hx?: [Tensor, Tensor]], LSTMOutput> {
  protected readonly keepsHiddenBias = false;

  constructor(inputSize: number, hiddenSize: number, options: LSTMOptions = {}) {
    super(inputSize, hiddenSize, 4, options);
  }

  protected cellStep(xt: Tensor, state: Tensor[], weights: CellWeights): Tensor[] {
    const [h, c] = state as [Tensor, Tensor];
    const gates = tf.add(xt, tf.matMul(h, weights.weightHhT));
    const [i, f, g, o] = tf.split(gates, 4, 1) as [Tensor, Tensor, Tensor, Tensor];
    const cNext = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
    const hNext = tf.mul(tf.sigmoid(o), tf.tanh(cNext));
    return [hNext, cNext];
  }

  override forward(input: Tensor, hx?: [Tensor, Tensor]): LSTMOutput {
    return tf.tidy(() => {
      const { x, isBatched } = this.toSequenceFirst(input);
      const batch = x.shape[1] ?? 1;
      const h0 = this.initialState(hx?.[0], batch, isBatched, 'h_0');
      const c0 = this.initialState(hx?.[1], batch, isBatched, 'c_0');
      const { output, finals } = this.runLayers(x, h0.map((h, k) => [h, c0[k] as Tensor]));
      const hN = this.stackStates(finals.map((s) => s[0] as Tensor), isBatched);
      const cN = this.stackStates(finals.map((s) => s[1] as Tensor), isBatched);
      return [this.fromSequenceFirst(output, isBatched), [hN, cN]];
    });
  }
}
