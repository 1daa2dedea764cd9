// The CNN variant of LitMNIST: two conv blocks and a linear head, same log-softmax + NLL and the same logging.
import { Accuracy, LightningModule, nn, optim } from '../../src/index.js';
import type { OptimizerConfigOutput, Scalar, Tensor } from '../../src/index.js';
import type { ImageBatch } from '../fashion-mnist/lit-mnist.js';

/** Hyperparameters of `LitMNISTCNN`. */
export interface LitCnnOptions {
  /** Channels of the first conv block (the second has twice as many). Default: 16. */
  channels?: number;
  /** Dropout before the head. Default: 0.25. */
  dropout?: number;
  /** Adam learning rate. Default: 1e-3. */
  lr?: number;
}

/** conv(3×3)-ReLU-maxpool ×2 → dropout → linear, on [B, 1, 28, 28] images. */
export class LitMNISTCNN extends LightningModule<ImageBatch> {
  readonly features: nn.Sequential;
  readonly head: nn.Sequential;
  readonly valAcc = new Accuracy({ task: 'multiclass', numClasses: 10 });
  readonly testAcc = new Accuracy({ task: 'multiclass', numClasses: 10 });
  private readonly lr: number;

  constructor(options: LitCnnOptions = {}) {
    super();
    const c = options.channels ?? 16;
    const dropout = options.dropout ?? 0.25;
    this.lr = options.lr ?? 1e-3;
    this.saveHyperparameters({ channels: c, dropout, lr: this.lr });
    this.features = new nn.Sequential(
      new nn.Conv2d(1, c, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Conv2d(c, 2 * c, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    );
    this.head = new nn.Sequential(new nn.Flatten(), new nn.Dropout(dropout), new nn.Linear(2 * c * 7 * 7, 10));
  }

  /** Log-probabilities [B, 10]. */
  override forward(x: Tensor): Tensor {
    return nn.functional.logSoftmax(this.head.call(this.features.call(x)), 1);
  }

  override trainingStep([x, y]: ImageBatch): Scalar {
    const loss = nn.functional.nllLoss(this.forward(x), y) as Scalar;
    this.log('train_loss', loss, { progBar: true });
    return loss;
  }

  override validationStep([x, y]: ImageBatch): void {
    const logProbs = this.forward(x);
    this.log('val_loss', nn.functional.nllLoss(logProbs, y), { progBar: true });
    this.valAcc.update(logProbs, y);
    this.log('val_acc', this.valAcc, { progBar: true });
  }

  override testStep([x, y]: ImageBatch): void {
    const logProbs = this.forward(x);
    this.log('test_loss', nn.functional.nllLoss(logProbs, y));
    this.testAcc.update(logProbs, y);
    this.log('test_acc', this.testAcc);
  }

  override configureOptimizers(): OptimizerConfigOutput {
    return new optim.Adam(this.parameters(), { lr: this.lr });
  }
}
