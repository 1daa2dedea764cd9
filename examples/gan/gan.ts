// A GAN in Lightning's style: two networks, two optimizers, and manual optimization in `trainingStep`.
import { LightningModule, nn, optim, tf } from '../../src/index.js';
import type { OptimizerConfigOutput, Scalar, Tensor } from '../../src/index.js';

/** A batch of images [B, 1, 28, 28] in [0, 1] with labels (ignored). */
export type ImageBatch = [Tensor, Tensor];

/** Hyperparameters of `GAN`. */
export interface GanOptions {
  /** Size of the noise vector. Default: 32. */
  latentDim?: number;
  /** Width of the hidden layers. Default: 256. */
  hidden?: number;
  /** Adam learning rate of both networks. Default: 2e-4. */
  lr?: number;
  /** Adam's beta1 (GANs like it low). Default: 0.5. */
  beta1?: number;
}

/** Generator: noise → 28×28 image in [0, 1]. Discriminator: image → logit of "real". */
export class GAN extends LightningModule<ImageBatch> {
  readonly generator: nn.Sequential;
  readonly discriminator: nn.Sequential;
  readonly latentDim: number;
  private readonly lr: number;
  private readonly beta1: number;

  constructor(options: GanOptions = {}) {
    super();
    this.latentDim = options.latentDim ?? 32;
    const hidden = options.hidden ?? 256;
    this.lr = options.lr ?? 2e-4;
    this.beta1 = options.beta1 ?? 0.5;
    this.saveHyperparameters({ latentDim: this.latentDim, hidden, lr: this.lr, beta1: this.beta1 });
    this.automaticOptimization = false;
    this.generator = new nn.Sequential(
      new nn.Linear(this.latentDim, hidden), new nn.LeakyReLU(0.2),
      new nn.Linear(hidden, 28 * 28), new nn.Sigmoid(),
    );
    this.discriminator = new nn.Sequential(
      new nn.Linear(28 * 28, hidden), new nn.LeakyReLU(0.2),
      new nn.Linear(hidden, 1),
    );
  }

  /** Generate images [B, 1, 28, 28] from noise [B, latentDim]. */
  override forward(z: Tensor): Tensor {
    return tf.reshape(this.generator.call(z), [z.shape[0] ?? -1, 1, 28, 28]);
  }

  /** Standard normal noise for `n` images. */
  sampleNoise(n: number): Tensor {
    return tf.randomNormal([n, this.latentDim]);
  }

  private realness(images: Tensor): Tensor {
    return this.discriminator.call(tf.reshape(images, [images.shape[0] ?? -1, 28 * 28]));
  }

  private adversarialLoss(logits: Tensor, target: 0 | 1): Scalar {
    const labels = target === 1 ? tf.onesLike(logits) : tf.zerosLike(logits);
    return nn.functional.binaryCrossEntropyWithLogits(logits, labels) as Scalar;
  }

  /** One generator step (fool the discriminator), then one discriminator step (tell real from fake). */
  override trainingStep([real]: ImageBatch): void {
    const [optG, optD] = [this.optimizer(0), this.optimizer(1)];
    const z = this.sampleNoise(real.shape[0] ?? 1);

    this.toggleOptimizer(optG);
    const gLoss = this.manualBackward(() => this.adversarialLoss(this.realness(this.forward(z)), 1));
    optG.step();
    optG.zeroGrad();
    this.untoggleOptimizer(optG);

    this.toggleOptimizer(optD);
    const fake = this.forward(z); // outside the closure: no gradient flows back into the generator
    const dLoss = this.manualBackward(() => {
      const realLoss = this.adversarialLoss(this.realness(real), 1);
      const fakeLoss = this.adversarialLoss(this.realness(fake), 0);
      return tf.div<Scalar>(tf.add(realLoss, fakeLoss), 2);
    });
    optD.step();
    optD.zeroGrad();
    this.untoggleOptimizer(optD);

    this.log('g_loss', gLoss, { progBar: true });
    this.log('d_loss', dLoss, { progBar: true });
  }

  override configureOptimizers(): OptimizerConfigOutput {
    const betas: [number, number] = [this.beta1, 0.999];
    return [
      new optim.Adam(this.generator.parameters(), { lr: this.lr, betas }),
      new optim.Adam(this.discriminator.parameters(), { lr: this.lr, betas }),
    ];
  }
}
