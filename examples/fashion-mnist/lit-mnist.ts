// LitMNIST from Lightning's docs, in TypeScript: three linear layers, log-softmax + NLL, Adam.
import { Accuracy, LightningModule, nn, optim, tf } from '../../src/index.js';
import type { OptimizerConfigOutput, Scalar, Tensor } from '../../src/index.js';

/** A batch of Fashion-MNIST: images [B, 1, 28, 28] in [0, 1] and int32 labels [B]. */
export type ImageBatch = [Tensor, Tensor];

/** Hyperparameters of LitMNIST. */
export interface LitMnistOptions {
  /** Width of the first hidden layer. Default: 128. */
  hidden1?: number;
  /** Width of the second hidden layer. Default: 256. */
  hidden2?: number;
  /** Adam learning rate. Default: 1e-3. */
  lr?: number;
}

/** The classic 784-128-256-10 classifier. */
export class LitMNIST extends LightningModule<ImageBatch> {
  readonly layer1: nn.Linear;
  readonly layer2: nn.Linear;
  readonly layer3: nn.Linear;
  readonly valAcc = new Accuracy({ task: 'multiclass', numClasses: 10 });
  readonly testAcc = new Accuracy({ task: 'multiclass', numClasses: 10 });
  private readonly lr: number;

  constructor(options: LitMnistOptions = {}) {
    super();
    const hidden1 = options.hidden1 ?? 128;
    const hidden2 = options.hidden2 ?? 256;
    this.lr = options.lr ?? 1e-3;
    this.saveHyperparameters({ hidden1, hidden2, lr: this.lr });
    this.layer1 = new nn.Linear(28 * 28, hidden1);
    this.layer2 = new nn.Linear(hidden1, hidden2);
    this.layer3 = new nn.Linear(hidden2, 10);
  }

  override forward(x: Tensor): Tensor {
    const flat = tf.reshape(x, [x.shape[0] ?? -1, 28 * 28]);
    const h1 = tf.relu(this.layer1.call(flat));
    const h2 = tf.relu(this.layer2.call(h1));
    return nn.functional.logSoftmax(this.layer3.call(h2), 1);
  }

  override trainingStep([x, y]: ImageBatch): Scalar {
    const loss = nn.functional.nllLoss(this.forward(x), y) as Scalar;
    this.log('train_loss', loss, { progBar: true });
    return loss;
  }

  override validationStep([x, y]: ImageBatch): void {
    const logits = this.forward(x);
    this.log('val_loss', nn.functional.nllLoss(logits, y), { progBar: true });
    this.valAcc.update(logits, y);
    this.log('val_acc', this.valAcc, { progBar: true });
  }

  override testStep([x, y]: ImageBatch): void {
    const logits = this.forward(x);
    this.log('test_loss', nn.functional.nllLoss(logits, y));
    this.testAcc.update(logits, y);
    this.log('test_acc', this.testAcc);
  }

  override configureOptimizers(): OptimizerConfigOutput {
    return new optim.Adam(this.parameters(), { lr: this.lr });
  }
}
