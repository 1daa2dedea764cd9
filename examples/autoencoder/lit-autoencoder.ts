// The autoencoder of Lightning's walkthrough: an encoder and a decoder, one shared step for train/val/test.
import { LightningModule, nn, optim, tf } from '../../src/index.js';
import type { OptimizerConfigOutput, Scalar, Tensor } from '../../src/index.js';

/** A batch of Fashion-MNIST: images [B, 1, 28, 28] in [0, 1] and labels [B] (unused here). */
export type ImageBatch = [Tensor, Tensor];

/** Hyperparameters of `LitAutoEncoder`. */
export interface AutoEncoderOptions {
  /** Size of the code the encoder compresses an image to. Default: 16. */
  latentDim?: number;
  /** Width of the hidden layers. Default: 128. */
  hidden?: number;
  /** Adam learning rate. Default: 2e-3. */
  lr?: number;
}

/** Compresses a 28×28 image to `latentDim` numbers and back; the loss is the pixel-wise MSE. */
export class LitAutoEncoder extends LightningModule<ImageBatch> {
  readonly encoder: nn.Sequential;
  readonly decoder: nn.Sequential;
  private readonly lr: number;

  constructor(options: AutoEncoderOptions = {}) {
    super();
    const latentDim = options.latentDim ?? 16;
    const hidden = options.hidden ?? 128;
    this.lr = options.lr ?? 2e-3;
    this.saveHyperparameters({ latentDim, hidden, lr: this.lr });
    this.encoder = new nn.Sequential(new nn.Linear(28 * 28, hidden), new nn.ReLU(), new nn.Linear(hidden, latentDim));
    this.decoder = new nn.Sequential(new nn.Linear(latentDim, hidden), new nn.ReLU(), new nn.Linear(hidden, 28 * 28), new nn.Sigmoid());
  }

  /** Inference: images [B, 1, 28, 28] → reconstructions of the same shape. */
  override forward(x: Tensor): Tensor {
    const flat = tf.reshape(x, [x.shape[0] ?? -1, 28 * 28]);
    return tf.reshape(this.decoder.call(this.encoder.call(flat)), x.shape);
  }

  /** One step for every stage: reconstruct, compare, log `<stage>_loss`. */
  private sharedStep([x]: ImageBatch, stage: 'train' | 'val' | 'test'): Scalar {
    const loss = nn.functional.mseLoss(this.forward(x), x) as Scalar;
    this.log(`${stage}_loss`, loss, { progBar: stage !== 'test' });
    return loss;
  }

  override trainingStep(batch: ImageBatch): Scalar {
    return this.sharedStep(batch, 'train');
  }

  override validationStep(batch: ImageBatch): void {
    this.sharedStep(batch, 'val');
  }

  override testStep(batch: ImageBatch): void {
    this.sharedStep(batch, 'test');
  }

  override configureOptimizers(): OptimizerConfigOutput {
    return new optim.Adam(this.parameters(), { lr: this.lr });
  }
}
