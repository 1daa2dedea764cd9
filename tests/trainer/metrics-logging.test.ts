// Metric objects in log() (issue 10): the epoch value is computed over every batch, equals a hand count, resets
// each epoch, and collections work through logDict.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { selectBackend } from '../../src/runtime/backend.js';
import { tf } from '../../src/runtime/tf.js';
import type { Scalar, Tensor } from '../../src/runtime/tf.js';
import { Trainer } from '../../src/trainer/trainer.js';
import { seedEverything } from '../../src/utilities/seed.js';
import { LightningModule } from '../../src/core/module.js';
import { Linear } from '../../src/nn/linear.js';
import { crossEntropy } from '../../src/nn/functional/index.js';
import { SGD } from '../../src/optim/sgd.js';
import { Accuracy, F1Score, MetricCollection } from '../../src/metrics/index.js';
import type { OptimizerConfigOutput } from '../../src/core/optimizer-config.js';

type Batch = [Tensor, Tensor];

function makeBatches(n: number, size: number): Batch[] {
  return Array.from({ length: n }, () => {
    const x = tf.randomNormal([size, 5]);
    const y = tf.cast(tf.greater(tf.sum(x, 1), 0), 'int32');
    return [x, y] as Batch;
  });
}

class Classifier extends LightningModule<Batch> {
  readonly fc = new Linear(5, 2);
  readonly valAcc = new Accuracy({ task: 'multiclass', numClasses: 2 });
  readonly valMetrics = new MetricCollection({ acc: new Accuracy({ task: 'multiclass', numClasses: 2 }), f1: new F1Score({ task: 'multiclass', numClasses: 2, average: 'macro' }) }, { prefix: 'val/' });
  stepAccs: number[] = [];


  override forward(x: Tensor): Tensor {
    return this.fc.call(x);
  }
  override trainingStep([x, y]: Batch): Scalar {
    return crossEntropy(this.forward(x), y) as Scalar;
  }
  override validationStep([x, y]: Batch): void {
    const logits = this.forward(x);
    this.stepAccs.push(this.valAcc.forward(logits, y));
    this.log('val_acc', this.valAcc);
    this.valMetrics.update(logits, y);
    this.logDict(this.valMetrics);
  }
  override configureOptimizers(): OptimizerConfigOutput {
    return new SGD(this.parameters(), { lr: 0.5 });
  }
}

describe('metric objects in log()', () => {
  before(async () => {
    await selectBackend('cpu');
    seedEverything(3);
  });

  it('logs the full-epoch value, equal to a hand count over the validation set', async () => {
    const train = makeBatches(6, 16);
    const val = [7, 9, 11].map((size) => makeBatches(1, size)[0]!);
    const model = new Classifier();
    const trainer = new Trainer({ maxEpochs: 2, logger: false, enableCheckpointing: false, enableProgressBar: false, enableModelSummary: false, handleSignals: false, numSanityValSteps: 0 });
    await trainer.fit(model, { trainDataloaders: train, valDataloaders: val });
    let correct = 0;
    let total = 0;
    model.eval();
    for (const [x, y] of val) {
      const pred = tf.argMax(model.forward(x), 1).dataSync();
      const truth = y.dataSync();
      pred.forEach((p, i) => (correct += p === truth[i] ? 1 : 0));
      total += truth.length;
    }
    const handCount = correct / total;
    assert.equal(trainer.callbackMetrics.val_acc, handCount);
    // The collection's metrics are logged under their prefixed names with the same full-epoch values.
    assert.equal(trainer.callbackMetrics['val/acc'], handCount);
    assert.equal(typeof trainer.callbackMetrics['val/f1'], 'number');
    // The last epoch's per-batch values (forward) weighted by batch size give the same epoch value.
    const [a, b, c] = model.stepAccs.slice(-3) as [number, number, number];
    assert.ok(Math.abs((7 * a + 9 * b + 11 * c) / 27 - handCount) < 1e-12);
    // Metric state was reset after each epoch.
    assert.equal(model.valAcc.updateCount, 0);
  });
});

describe('LitMNIST example', () => {
  it('logs val_acc with Accuracy, equal to a hand count over the validation set', async () => {
    const { LitMNIST } = await import('../../examples/fashion-mnist/lit-mnist.js');
    const { FashionMNISTDataModule } = await import('../../examples/fashion-mnist/datamodule.js');
    seedEverything(5);
    const model = new LitMNIST({ hidden1: 32, hidden2: 32, lr: 5e-3 });
    const datamodule = new FashionMNISTDataModule({ batchSize: 64 });
    const trainer = new Trainer({ maxEpochs: 1, limitTrainBatches: 30, numSanityValSteps: 0, logger: false, enableCheckpointing: false, enableProgressBar: false, enableModelSummary: false, handleSignals: false });
    await trainer.fit(model, { datamodule });
    let correct = 0;
    let total = 0;
    for await (const [x, y] of datamodule.valDataloader() as AsyncIterable<[Tensor, Tensor]>) {
      const pred = tf.tidy(() => tf.argMax(model.forward(x), 1)).dataSync();
      const truth = y.dataSync();
      pred.forEach((p, i) => (correct += p === truth[i] ? 1 : 0));
      total += truth.length;
      tf.dispose([x, y]);
    }
    assert.equal(total, 400);
    assert.equal(trainer.callbackMetrics.val_acc, correct / total);
    assert.ok(correct / total > 0.5, `learned something: ${correct}/${total}`);
  });
});
