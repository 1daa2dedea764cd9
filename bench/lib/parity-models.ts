/**
 * The two overhead-parity workloads: Lightning's `ParityModuleRNN` (LSTM(10, 20) + Linear(20, 5), MSE, Adam 0.02,
 * 300 × 100 × 10 random sequences, batch 30) and the LitMNIST example on the shipped Fashion-MNIST sample (batch 64).
 * Batches are built once and reused by every arm, in the same order.
 */
import { DataLoader, LightningModule, data, nn, optim, tf } from '../../src/index.js';
import type { OptimizerConfigOutput, Scalar, Tensor } from '../../src/index.js';
import { LitMNIST } from '../../examples/fashion-mnist/lit-mnist.js';

/** A `[input, target]` batch. */
export type PairBatch = [Tensor, Tensor];

/** Lightning's ParityModuleRNN: LSTM(10, 20, batch_first) → Linear(20, 5), MSE loss, Adam(lr 0.02). */
export class ParityModuleRNN extends LightningModule<PairBatch> {
  readonly rnn = new nn.LSTM(10, 20, { batchFirst: true });
  readonly linearOut = new nn.Linear(20, 5);

  override forward(x: Tensor): Tensor {
    const [seq] = this.rnn.call(x);
    return this.linearOut.call(seq);
  }

  override trainingStep([x, y]: PairBatch): Scalar {
    return nn.functional.mseLoss(this.forward(x), y) as Scalar;
  }

  override configureOptimizers(): OptimizerConfigOutput {
    return new optim.Adam(this.parameters(), { lr: 0.02 });
  }
}

/** Lightning's AverageDataset (300 sequences of 100 × 10 normals; target = top half + bottom half rolled by 1), in batches of 30. */
export function averageDatasetBatches(seed = 1234, len = 300, seqLen = 100, batchSize = 30): PairBatch[] {
  return tf.tidy(() => {
    const x = tf.randomNormal([len, seqLen, 10], 0, 1, 'float32', seed);
    const top = tf.slice(x, [0, 0, 0], [-1, -1, 5]);
    const bottom = tf.slice(x, [0, 0, 5], [-1, -1, 5]);
    const rolled = tf.concat([tf.slice(bottom, [0, 0, 4], [-1, -1, 1]), tf.slice(bottom, [0, 0, 0], [-1, -1, 4])], 2);
    const y = tf.add(top, rolled);
    const out: PairBatch[] = [];
    for (let i = 0; i < len; i += batchSize) {
      const n = Math.min(batchSize, len - i);
      out.push([tf.keep(tf.slice(x, [i, 0, 0], [n, -1, -1])), tf.keep(tf.slice(y, [i, 0, 0], [n, -1, -1]))]);
    }
    return out;
  });
}

/** The shipped Fashion-MNIST training sample in batches of `batchSize`, in file order (no shuffle). */
export async function fashionMnistBatches(batchSize = 64): Promise<PairBatch[]> {
  const root = data.shippedSampleDir();
  if (root === undefined) throw new Error('The shipped Fashion-MNIST sample (data/fashion-mnist-sample) was not found.');
  const train = await data.loadFashionMNIST({ train: true, root });
  const loader = new DataLoader(train, { batchSize });
  const out: PairBatch[] = [];
  for await (const batch of loader) out.push(batch as PairBatch);
  return out;
}

/** A parity workload: how to build the module, its batches, and its loss on a batch outside any Trainer. */
export interface ParityWorkload {
  name: string;
  build: () => LightningModule<PairBatch>;
  loss: (module: LightningModule<PairBatch>, batch: PairBatch) => Scalar;
}

/** The RNN workload. */
export const RNN_WORKLOAD: ParityWorkload = {
  name: 'ParityModuleRNN (LSTM 10→20 + Linear 20→5, Adam 0.02, 300×100×10, batch 30)',
  build: () => new ParityModuleRNN(),
  loss: (m, [x, y]) => nn.functional.mseLoss((m as ParityModuleRNN).forward(x), y) as Scalar,
};

/** The LitMNIST workload (784-128-256-10 MLP, Adam 1e-3). */
export const MNIST_WORKLOAD: ParityWorkload = {
  name: 'LitMNIST (784-128-256-10, Adam 1e-3, Fashion-MNIST sample, batch 64)',
  build: () => new LitMNIST(),
  loss: (m, [x, y]) => nn.functional.nllLoss((m as unknown as LitMNIST).forward(x), y) as Scalar,
};
