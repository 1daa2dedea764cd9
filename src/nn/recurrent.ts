/**
 * The shared machinery of `LSTM` and `GRU` (`torch.nn.RNNBase`): PyTorch's parameter names, shapes and default
 * initialisation, input layouts (sequence-first, batch-first, unbatched), stacked layers, both directions and
 * inter-layer dropout. The input projection of a whole sequence is one matMul; only the recurrent part loops.
 */
import { LightningError, MisconfigurationError } from '../errors.js';
import { tf } from '../runtime/tf.js';
import type { Tensor } from '../runtime/tf.js';
import { uniform } from './init.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';

/** Options of `LSTM` and `GRU` (PyTorch's keyword arguments). */
export interface RecurrentOptions {
  /** Number of stacked recurrent layers. Default: 1. */
  numLayers?: number;
  /** Learn the biases `bias_ih_l*` and `bias_hh_l*`. Default: true. */
  bias?: boolean;
  /** Input and output are `[batch, seq, feature]` instead of `[seq, batch, feature]`. Default: false. */
  batchFirst?: boolean;
  /** Dropout probability on the outputs of every layer but the last (training only). Default: 0. */
  dropout?: number;
  /** Run a second, reversed pass and concatenate both outputs. Default: false. */
  bidirectional?: boolean;
}

/** The weights of one layer in one direction, with the transposed recurrent weight computed per forward. */
export interface DirectionWeights {
  weightIh: Parameter;
  weightHh: Parameter;
  biasIh: Parameter | undefined;
  biasHh: Parameter | undefined;
}

/** Per-step inputs of a cell: its slice of the input projection and the recurrent weight (transposed). */
export interface CellWeights {
  /** `weight_hh` transposed to `[hidden, gates·hidden]`. */
  weightHhT: Tensor;
  /** `bias_hh`, when the cell does not fold it into the input projection. */
  biasHh: Tensor | undefined;
}

/** Base class of the recurrent layers: subclasses give the gate count and the cell update. */
export abstract class RecurrentBase<In extends unknown[], Out> extends Module<In, Out> {
  readonly numLayers: number;
  readonly hasBias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly #weights: DirectionWeights[][] = [];

  protected constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    gateCount: number,
    options: RecurrentOptions,
  ) {
    super();
    this.numLayers = options.numLayers ?? 1;
    this.hasBias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = options.dropout ?? 0;
    this.bidirectional = options.bidirectional ?? false;
    this.validateOptions();
    const bound = 1 / Math.sqrt(hiddenSize);
    const init = (shape: number[]): Parameter => new Parameter(tf.tidy(() => uniform(shape, -bound, bound)));
    for (let layer = 0; layer < this.numLayers; layer++) {
      const layerIn = layer === 0 ? inputSize : hiddenSize * this.numDirections;
      const directions: DirectionWeights[] = [];
      for (let d = 0; d < this.numDirections; d++) {
        const suffix = `_l${layer}${d === 1 ? '_reverse' : ''}`;
        const w: DirectionWeights = {
          weightIh: init([gateCount * hiddenSize, layerIn]),
          weightHh: init([gateCount * hiddenSize, hiddenSize]),
          biasIh: this.hasBias ? init([gateCount * hiddenSize]) : undefined,
          biasHh: this.hasBias ? init([gateCount * hiddenSize]) : undefined,
        };
        this.registerParameter(`weight_ih${suffix}`, w.weightIh);
        this.registerParameter(`weight_hh${suffix}`, w.weightHh);
        if (w.biasIh !== undefined) this.registerParameter(`bias_ih${suffix}`, w.biasIh);
        if (w.biasHh !== undefined) this.registerParameter(`bias_hh${suffix}`, w.biasHh);
        directions.push(w);
      }
      this.#weights.push(directions);
    }
  }

  /** 2 when bidirectional, else 1. */
  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** Whether the cell adds `bias_hh` itself (GRU) instead of folding it into the input projection (LSTM). */
  protected abstract readonly keepsHiddenBias: boolean;

  /** One time step: `xt` is this step's input projection `[N, gates·H]`; returns the new state (h first). */
  protected abstract cellStep(xt: Tensor, state: Tensor[], weights: CellWeights): Tensor[];

  private validateOptions(): void {
    const { inputSize, hiddenSize, numLayers, dropout } = this;
    const positive = (n: number): boolean => Number.isInteger(n) && n > 0;
    if (!positive(inputSize) || !positive(hiddenSize) || !positive(numLayers)) {
      throw new MisconfigurationError(
        `${this.constructor.name} needs positive integer sizes; got inputSize=${inputSize}, hiddenSize=${hiddenSize}, numLayers=${numLayers}.`,
        `Construct it as new ${this.constructor.name}(inputSize, hiddenSize, { numLayers }).`,
      );
    }
    if (!(dropout >= 0 && dropout <= 1)) {
      throw new MisconfigurationError(
        `${this.constructor.name} dropout must be a probability in [0, 1]; got ${dropout}.`,
        'Pass { dropout: 0.2 } or leave it out for no dropout.',
      );
    }
  }

  /** Bring the input to `[seq, batch, feature]`; tells whether it was unbatched. */
  protected toSequenceFirst(input: Tensor): { x: Tensor; isBatched: boolean } {
    if ((input.rank !== 2 && input.rank !== 3) || input.shape[input.rank - 1] !== this.inputSize) {
      throw new LightningError(
        `${this.constructor.name} expects input of shape [seq, batch, ${this.inputSize}]` +
          `${this.batchFirst ? ' (batchFirst: [batch, seq, ' + String(this.inputSize) + '])' : ''} or [seq, ${this.inputSize}]; ` +
          `got [${input.shape.join(', ')}].`,
        'Check the last dimension equals inputSize and the batch/sequence layout matches batchFirst.',
      );
    }
    if (input.rank === 2) return { x: tf.expandDims(input, 1), isBatched: false };
    return { x: this.batchFirst ? tf.transpose(input, [1, 0, 2]) : input, isBatched: true };
  }

  /** Check an initial state's shape: `[layers·directions, batch, hidden]` (or without batch when unbatched). */
  protected initialState(given: Tensor | undefined, batch: number, isBatched: boolean, what: string): Tensor[] {
    const count = this.numLayers * this.numDirections;
    if (given === undefined) return Array.from({ length: count }, () => tf.zeros([batch, this.hiddenSize]));
    const expected = isBatched ? [count, batch, this.hiddenSize] : [count, this.hiddenSize];
    if (given.rank !== expected.length || given.shape.some((d, i) => d !== expected[i])) {
      throw new LightningError(
        `${this.constructor.name} expects ${what} of shape [${expected.join(', ')}]; got [${given.shape.join(', ')}].`,
        'The initial state is [numLayers·numDirections, batch, hiddenSize] (no batch axis for unbatched input).',
      );
    }
    const withBatch = isBatched ? given : tf.expandDims(given, 1);
    return tf.unstack(withBatch, 0);
  }

  /**
   * Run every layer and direction over a `[seq, batch, feature]` input from per-(layer, direction) initial
   * states (each a list of `[batch, hidden]` tensors); returns the last layer's output and the final states.
   */
  protected runLayers(x: Tensor, initial: Tensor[][]): { output: Tensor; finals: Tensor[][] } {
    const [seqLen, batch] = x.shape as [number, number, number];
    const finals: Tensor[][] = [];
    let layerInput = x;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outputs: Tensor[] = [];
      const flatInput = tf.reshape(layerInput, [seqLen * batch, -1]);
      const directions = this.#weights[layer] ?? [];
      directions.forEach((w, d) => {
        let proj = tf.matMul(flatInput, tf.transpose(w.weightIh.value));
        if (w.biasIh !== undefined) proj = tf.add(proj, w.biasIh.value);
        if (!this.keepsHiddenBias && w.biasHh !== undefined) proj = tf.add(proj, w.biasHh.value);
        const steps = tf.unstack(tf.reshape(proj, [seqLen, batch, -1]), 0);
        const cell: CellWeights = {
          weightHhT: tf.transpose(w.weightHh.value),
          biasHh: this.keepsHiddenBias ? w.biasHh?.value : undefined,
        };
        let state = initial[layer * this.numDirections + d] ?? [];
        const hs: Tensor[] = new Array<Tensor>(seqLen);
        for (let k = 0; k < seqLen; k++) {
          const t = d === 0 ? k : seqLen - 1 - k;
          state = this.cellStep(steps[t] as Tensor, state, cell);
          hs[t] = state[0] as Tensor;
        }
        outputs.push(tf.stack(hs, 0));
        finals.push(state);
      });
      layerInput = outputs.length === 1 ? (outputs[0] as Tensor) : tf.concat(outputs, 2);
      if (this.training && this.dropout > 0 && layer < this.numLayers - 1) layerInput = tf.dropout(layerInput, this.dropout);
    }
    return { output: layerInput, finals };
  }

  /** Back from `[seq, batch, feature]` to the caller's layout. */
  protected fromSequenceFirst(output: Tensor, isBatched: boolean): Tensor {
    if (!isBatched) return tf.squeeze(output, [1]);
    return this.batchFirst ? tf.transpose(output, [1, 0, 2]) : output;
  }

  /** Stack per-(layer, direction) final states `[batch, hidden]` into `[layers·directions, batch, hidden]`. */
  protected stackStates(states: Tensor[], isBatched: boolean): Tensor {
    const stacked = tf.stack(states, 0);
    return isBatched ? stacked : tf.squeeze(stacked, [1]);
  }
}
