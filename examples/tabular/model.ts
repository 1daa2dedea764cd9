// An MLP for tabular data: classification (cross-entropy, accuracy) or regression (MSE, mean absolute error).
import { Accuracy, LightningModule, MeanAbsoluteError, nn, optim, tf } from '../../src/index.js';
import type { OptimizerConfigOutput, Scalar, Tensor } from '../../src/index.js';
import type { TabularBatch } from './datamodule.js';

/** Hyperparameters of `TabularModel`. */
export interface TabularModelOptions {
  /** Width of a feature vector. */
  numFeatures: number;
  /** Number of classes; leave undefined for regression (one output). */
  numClasses?: number | undefined;
  /** Width of the hidden layers. Default: 32. */
  hidden?: number;
  /** Dropout after each hidden layer. Default: 0.1. */
  dropout?: number;
  /** AdamW learning rate. Default: 1e-2. */
  lr?: number;
}

/** Two hidden layers; the task (classification or regression) follows from `numClasses`. */
export class TabularModel extends LightningModule<TabularBatch> {
  readonly net: nn.Sequential;
  readonly isClassifier: boolean;
  private readonly valMetric: Accuracy | MeanAbsoluteError;
  private readonly lr: number;

  constructor(options: TabularModelOptions) {
    super();
    const hidden = options.hidden ?? 32;
    const dropout = options.dropout ?? 0.1;
    this.lr = options.lr ?? 1e-2;
    this.isClassifier = options.numClasses !== undefined;
    this.saveHyperparameters({ numFeatures: options.numFeatures, numClasses: options.numClasses, hidden, dropout, lr: this.lr });
    this.net = new nn.Sequential(
      new nn.Linear(options.numFeatures, hidden), new nn.ReLU(), new nn.Dropout(dropout),
      new nn.Linear(hidden, hidden), new nn.ReLU(), new nn.Dropout(dropout),
      new nn.Linear(hidden, options.numClasses ?? 1),
    );
    this.valMetric = options.numClasses === undefined ? new MeanAbsoluteError() : new Accuracy({ task: 'multiclass', numClasses: options.numClasses });
  }

  /** Class logits [B, C], or predicted values [B] for regression. */
  override forward(x: Tensor): Tensor {
    const out = this.net.call(x);
    return this.isClassifier ? out : tf.reshape(out, [-1]);
  }

  private loss(prediction: Tensor, y: Tensor): Scalar {
    return (this.isClassifier ? nn.functional.crossEntropy(prediction, y) : nn.functional.mseLoss(prediction, y)) as Scalar;
  }

  override trainingStep([x, y]: TabularBatch): Scalar {
    const loss = this.loss(this.forward(x), y);
    this.log('train_loss', loss, { onEpoch: true, progBar: true });
    return loss;
  }

  override validationStep([x, y]: TabularBatch): void {
    const prediction = this.forward(x);
    this.log('val_loss', this.loss(prediction, y), { progBar: true });
    this.valMetric.update(prediction, y);
    this.log(this.isClassifier ? 'val_acc' : 'val_mae', this.valMetric, { progBar: true });
  }

  override configureOptimizers(): OptimizerConfigOutput {
    return new optim.AdamW(this.parameters(), { lr: this.lr, weightDecay: 1e-4 });
  }
}
