// Shared fixtures: Lightning's BoringModel (Linear(32, 2)) and random data that makes fresh tensors every epoch.
import { tf } from '../../src/runtime/tf.js';
import { LightningModule } from '../../src/core/module.js';
import { Linear } from '../../src/nn/linear.js';
import { SGD } from '../../src/optim/sgd.js';
import type { OptimizerConfigOutput } from '../../src/core/optimizer-config.js';
import type { DataSource } from '../../src/core/hooks.js';
import type { Scalar, Tensor } from '../../src/runtime/tf.js';

/** An iterable of `numBatches` random [batchSize, features] tensors, new tensors on every pass. */
export class RandomData implements Iterable<Tensor> {
  readonly length: number;
  constructor(
    readonly numBatches = 4,
    readonly batchSize = 2,
    readonly features = 32,
  ) {
    this.length = numBatches;
  }
  *[Symbol.iterator](): Iterator<Tensor> {
    for (let i = 0; i < this.numBatches; i++) yield tf.randomNormal([this.batchSize, this.features]);
  }
}

/** Lightning's BoringModel: Linear(32, 2), loss = mean((out - 1)^2)... kept simple and differentiable. */
export class BoringModel extends LightningModule<Tensor> {
  readonly layer = new Linear(32, 2);

  override forward(x: Tensor): Tensor {
    return this.layer.call(x);
  }

  loss(preds: Tensor): Scalar {
    return tf.mean(tf.square(tf.sub(preds, tf.onesLike(preds))));
  }

  override trainingStep(batch: Tensor, _batchIdx: number): Scalar {
    return this.loss(this.forward(batch));
  }

  override validationStep(batch: Tensor, _batchIdx: number, _dataloaderIdx = 0): unknown {
    const loss = this.loss(this.forward(batch));
    this.log('val_loss', loss);
    return { x: loss };
  }

  override testStep(batch: Tensor, _batchIdx: number, _dataloaderIdx = 0): unknown {
    const loss = this.loss(this.forward(batch));
    this.log('test_loss', loss);
    return { y: loss };
  }

  override configureOptimizers(): OptimizerConfigOutput {
    return new SGD(this.layer.parameters(), { lr: 0.1 });
  }

  override trainDataloader(): DataSource<Tensor> {
    return new RandomData(64 / 2);
  }

  override valDataloader(): DataSource<Tensor> {
    return new RandomData(64 / 2);
  }

  override testDataloader(): DataSource<Tensor> {
    return new RandomData(64 / 2);
  }

  override predictDataloader(): DataSource<Tensor> {
    return new RandomData(64 / 2);
  }
}
