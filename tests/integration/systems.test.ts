// The seed examples of Lightning's docs, written as a Lightning user would (camelCased), trained end to end by the
// Trainer for a few epochs: LitMNIST, an autoencoder with a shared step, a GAN with manual optimization and two
// optimizers, and a classification task wrapping an injected backbone. Each shows its loss going down.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { LightningModule } from '../../src/core/module.js';
import type { OptimizerConfigOutput } from '../../src/core/optimizer-config.js';
import { DataLoader, FashionMNIST, Subset, shippedSampleDir } from '../../src/data/index.js';
import type { DataSource } from '../../src/core/hooks.js';
import { InMemoryLogger } from '../../src/loggers/in-memory-logger.js';
import * as nn from '../../src/nn/index.js';
import { Adam, SGD } from '../../src/optim/index.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { valueAndGrads } from '../../src/runtime/autograd.js';
import { tf } from '../../src/runtime/tf.js';
import type { Scalar, Tensor } from '../../src/runtime/tf.js';
import { Trainer } from '../../src/trainer/trainer.js';
import type { TrainerOptions } from '../../src/trainer/trainer-options.js';
import { seedEverything } from '../../src/utilities/seed.js';

type ImageBatch = [Tensor, Tensor];

const quiet: TrainerOptions = {
  accelerator: 'cpu', enableProgressBar: false, enableModelSummary: false, enableCheckpointing: false, handleSignals: false,
  logEveryNSteps: 1,
};

let fashion: FashionMNIST | undefined;

/** The first `n` images of the shipped Fashion-MNIST sample (from the repository, not from the system). */
async function fashionSubset(n: number, offset = 0): Promise<Subset<[unknown, number]>> {
  const root = shippedSampleDir();
  assert.ok(root !== undefined, 'the Fashion-MNIST sample is shipped in data/fashion-mnist-sample');
  fashion ??= await FashionMNIST.load({ root, systemPaths: [] });
  return new Subset(fashion, Array.from({ length: n }, (_, i) => offset + i));
}

function loaderOf(dataset: Subset<[unknown, number]>, batchSize: number, shuffle: boolean): DataSource<ImageBatch> {
  return new DataLoader(dataset, { batchSize, shuffle, seed: 1 }) as DataSource<ImageBatch>;
}

/** Every value logged under `key`, in step order. */
function series(logger: InMemoryLogger, key: string): number[] {
  return logger.rows.flatMap((r) => (r.metrics[key] === undefined ? [] : [r.metrics[key]]));
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Mean of the first and last `k` values of a series. */
function firstLast(xs: number[], k: number): { first: number; last: number } {
  assert.ok(xs.length >= 2 * k, `expected at least ${2 * k} values, got ${xs.length}`);
  return { first: mean(xs.slice(0, k)), last: mean(xs.slice(-k)) };
}

class LitMNIST extends LightningModule<ImageBatch> {
  readonly layer1 = new nn.Linear(28 * 28, 64);
  readonly layer2 = new nn.Linear(64, 64);
  readonly layer3 = new nn.Linear(64, 10);

  override forward(x: Tensor): Tensor {
    const flat = tf.reshape(x, [x.shape[0] ?? -1, 28 * 28]);
    const h1 = tf.relu(this.layer1.call(flat));
    const h2 = tf.relu(this.layer2.call(h1));
    return nn.functional.logSoftmax(this.layer3.call(h2), 1);
  }

  override trainingStep([x, y]: ImageBatch): Scalar {
    const loss = nn.functional.nllLoss(this.forward(x), y) as Scalar;
    this.log('train_loss', loss);
    return loss;
  }

  override validationStep([x, y]: ImageBatch): void {
    const logProbs = this.forward(x);
    this.log('val_loss', nn.functional.nllLoss(logProbs, y));
    this.log('val_acc', tf.mean(tf.cast(tf.equal(tf.argMax(logProbs, 1), y), 'float32')));
  }

  override configureOptimizers(): OptimizerConfigOutput {
    return new Adam(this.parameters(), { lr: 1e-3 });
  }
}

/** The docs' LitAutoEncoder: one `sharedStep` serves the training, validation and test steps. */
class LitAutoEncoder extends LightningModule<ImageBatch> {
  constructor(
    readonly encoder: nn.Sequential,
    readonly decoder: nn.Sequential,
  ) {
    super();
  }

  sharedStep([x]: ImageBatch, stage: 'train' | 'val' | 'test'): Scalar {
    const flat = tf.reshape(x, [x.shape[0] ?? -1, 28 * 28]);
    const xHat = this.decoder.call(this.encoder.call(flat));
    const loss = nn.functional.mseLoss(xHat, flat) as Scalar;
    this.log(`${stage}_loss`, loss);
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
    return new Adam(this.parameters(), { lr: 3e-3 });
  }
}

/** The docs' GAN, on a 2-D Gaussian: manual optimization, two optimizers, toggled in turn. */
class GAN extends LightningModule<Tensor> {
  readonly generator = new nn.Sequential(new nn.Linear(2, 16), new nn.ReLU(), new nn.Linear(16, 2));
  readonly discriminator = new nn.Sequential(new nn.Linear(2, 16), new nn.LeakyReLU(0.2), new nn.Linear(16, 1));

  constructor(readonly latentDim = 2) {
    super();
    this.automaticOptimization = false;
  }

  override forward(z: Tensor): Tensor {
    return this.generator.call(z);
  }

  sampleNoise(n: number): Tensor {
    return tf.randomNormal([n, this.latentDim]);
  }

  adversarialLoss(logits: Tensor, realOrFake: 1 | 0): Scalar {
    return nn.functional.binaryCrossEntropyWithLogits(logits, realOrFake === 1 ? tf.onesLike(logits) : tf.zerosLike(logits)) as Scalar;
  }

  override trainingStep(real: Tensor): void {
    const [optG, optD] = [this.optimizer(0), this.optimizer(1)];
    const n = real.shape[0] ?? 0;

    this.toggleOptimizer(optG);
    const z = this.sampleNoise(n);
    const gLoss = this.manualBackward(() => this.adversarialLoss(this.discriminator.call(this.forward(z)), 1));
    this.log('g_loss', gLoss, { progBar: true });
    optG.step();
    optG.zeroGrad();
    this.untoggleOptimizer(optG);

    this.toggleOptimizer(optD);
    const fake = this.forward(z);
    const dLoss = this.manualBackward(() => {
      const realLoss = this.adversarialLoss(this.discriminator.call(real), 1);
      const fakeLoss = this.adversarialLoss(this.discriminator.call(fake), 0);
      return tf.div<Scalar>(tf.add(realLoss, fakeLoss), 2);
    });
    this.log('d_loss', dLoss, { progBar: true });
    optD.step();
    optD.zeroGrad();
    this.untoggleOptimizer(optD);
  }

  override configureOptimizers(): OptimizerConfigOutput {
    return [new Adam(this.generator.parameters(), { lr: 1e-2, betas: [0.5, 0.999] }), new Adam(this.discriminator.parameters(), { lr: 1e-2, betas: [0.5, 0.999] })];
  }
}

/** The docs' ImageClassifier: the task owns the loss and the optimizer; the backbone is injected. */
class ImageClassifier extends LightningModule<ImageBatch> {
  constructor(
    readonly backbone: nn.Module<[Tensor], Tensor>,
    readonly hparamsIn: { learningRate: number } = { learningRate: 0.02 },
  ) {
    super();
    this.saveHyperparameters(hparamsIn);
  }

  override forward(x: Tensor): Tensor {
    return this.backbone.call(x);
  }

  override trainingStep([x, y]: ImageBatch): Scalar {
    const loss = nn.functional.crossEntropy(this.forward(x), y) as Scalar;
    this.log('train_loss', loss, { onEpoch: true });
    return loss;
  }

  override validationStep([x, y]: ImageBatch): void {
    this.log('val_loss', nn.functional.crossEntropy(this.forward(x), y));
  }

  override configureOptimizers(): OptimizerConfigOutput {
    return new SGD(this.parameters(), { lr: this.hparamsIn.learningRate, momentum: 0.9 });
  }
}

/** Samples of N([2, -1], diag(0.5², 0.5²)), as plain batches. */
function gaussianBatches(numBatches: number, batchSize: number): Tensor[] {
  return Array.from({ length: numBatches }, () => tf.tidy(() => tf.add(tf.mul(tf.randomNormal([batchSize, 2]), 0.5), tf.tensor1d([2, -1]))));
}

describe('the docs\' example systems train end to end', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('LitMNIST (784-64-64-10, log-softmax + NLL, Adam) on 512 Fashion-MNIST images', async () => {
    seedEverything(7);
    const train = loaderOf(await fashionSubset(512), 64, true);
    const val = loaderOf(await fashionSubset(256, 512), 128, false);
    const logger = new InMemoryLogger();
    const trainer = new Trainer({ ...quiet, logger, maxEpochs: 3 });
    const model = new LitMNIST();
    await trainer.fit(model, { trainDataloaders: train, valDataloaders: val });
    const losses = series(logger, 'train_loss');
    assert.equal(losses.length, 3 * 8);
    const { first, last } = firstLast(losses, 4);
    assert.ok(first > 1.8, `the untrained net starts near ln(10) = 2.30: ${first}`);
    assert.ok(last < 0.8 * first, `train_loss ${first.toFixed(3)} -> ${last.toFixed(3)}`);
    const valLoss = series(logger, 'val_loss');
    assert.equal(valLoss.length, 3);
    assert.ok((valLoss[2] as number) < (valLoss[0] as number), `val_loss ${valLoss.join(' -> ')}`);
    assert.ok(trainer.callbackMetrics.val_acc !== undefined && trainer.callbackMetrics.val_acc > 0.5, `val_acc ${trainer.callbackMetrics.val_acc}`);
    assert.equal(trainer.globalStep, 24);
    model.dispose();
  });

  it('LitAutoEncoder with a sharedStep logging train_loss / val_loss / test_loss', async () => {
    seedEverything(3);
    const encoder = new nn.Sequential(new nn.Linear(28 * 28, 64), new nn.ReLU(), new nn.Linear(64, 3));
    const decoder = new nn.Sequential(new nn.Linear(3, 64), new nn.ReLU(), new nn.Linear(64, 28 * 28));
    const model = new LitAutoEncoder(encoder, decoder);
    const logger = new InMemoryLogger();
    const trainer = new Trainer({ ...quiet, logger, maxEpochs: 3 });
    const val = await fashionSubset(128, 512);
    await trainer.fit(model, { trainDataloaders: loaderOf(await fashionSubset(512), 64, true), valDataloaders: loaderOf(val, 128, false) });
    const { first, last } = firstLast(series(logger, 'train_loss'), 4);
    assert.ok(last < 0.7 * first, `train_loss ${first.toFixed(4)} -> ${last.toFixed(4)}`);
    const valLoss = series(logger, 'val_loss');
    assert.equal(valLoss.length, 3);
    assert.ok((valLoss[2] as number) < (valLoss[0] as number), `val_loss ${valLoss.join(' -> ')}`);
    // The same shared step serves test(): the test loss of the same images equals the last validation loss.
    const [result] = await trainer.test(model, { dataloaders: loaderOf(val, 128, false), verbose: false });
    assert.ok(result?.test_loss !== undefined);
    assert.ok(Math.abs(result.test_loss - (valLoss[2] as number)) < 1e-6, `${result.test_loss} vs ${valLoss[2]}`);
    model.dispose();
  });

  it('GAN with manual optimization: two optimizers, toggleOptimizer, manualBackward, both losses logged', async () => {
    seedEverything(11);
    const model = new GAN();
    const logger = new InMemoryLogger();
    const trainer = new Trainer({ ...quiet, logger, maxEpochs: 6 });
    const batches = gaussianBatches(20, 64);
    const distance = (): number => tf.tidy(() => {
      const fake = model.forward(tf.randomNormal([2000, 2]));
      // Distance of the generated mean and spread from the target's ([2, -1] and 0.5).
      const { mean: m, variance } = tf.moments(fake, 0);
      const meanGap = tf.norm(tf.sub(m, tf.tensor1d([2, -1])));
      const stdGap = tf.norm(tf.sub(tf.sqrt(variance), 0.5));
      return tf.add(meanGap, stdGap).dataSync()[0] as number;
    });
    const before = distance();
    await trainer.fit(model, { trainDataloaders: batches });
    const after = distance();
    const g = series(logger, 'g_loss');
    const d = series(logger, 'd_loss');
    assert.equal(g.length, 120);
    assert.equal(d.length, 120);
    assert.ok([...g, ...d].every(Number.isFinite));
    // Both optimizers stepped once per batch: two optimizer steps per batch.
    assert.equal(trainer.globalStep, 240);
    // What a GAN's generator learns is the data distribution: the generated samples close in on it.
    assert.ok(after < 0.35 * before, `distance to the target distribution ${before.toFixed(3)} -> ${after.toFixed(3)}`);
    // And the discriminator ends near the equilibrium loss ln 2, where it can no longer tell fake from real.
    const dEnd = mean(d.slice(-20));
    assert.ok(Math.abs(dEnd - Math.log(2)) < 0.1, `final d_loss ${dEnd.toFixed(3)}`);
    for (const b of batches) b.dispose();
    model.dispose();
  });

  it('GAN steps match a hand-written alternating loop (toggling keeps each loss\'s gradients to its own optimizer)', async () => {
    seedEverything(2);
    const real = gaussianBatches(4, 16);
    const noise = real.map(() => tf.randomNormal([16, 2]));
    class FixedNoiseGAN extends GAN {
      private drawn = 0;
      override sampleNoise(): Tensor {
        return noise[this.drawn++ % noise.length] as Tensor;
      }
    }
    seedEverything(9);
    const model = new FixedNoiseGAN();
    const initialG = tf.clone(model.generator.at(0).parameters()[0]?.value as Tensor);
    seedEverything(9);
    const reference = new GAN();
    const [optG, optD] = reference.configureOptimizers() as [Adam, Adam];
    const gParams = reference.generator.parameters();
    const dParams = reference.discriminator.parameters();
    const stepOn = (opt: Adam, params: nn.Parameter[], loss: () => Scalar): void => {
      const { value, grads } = valueAndGrads(loss, params.map((p) => p.value));
      params.forEach((p, i) => p.setGrad(grads[i] ?? null));
      value.dispose();
      opt.step();
      opt.zeroGrad();
    };
    real.forEach((x, i) => {
      const z = noise[i] as Tensor;
      stepOn(optG, gParams, () => reference.adversarialLoss(reference.discriminator.call(reference.forward(z)), 1));
      const fake = tf.tidy(() => reference.forward(z));
      stepOn(optD, dParams, () => tf.div<Scalar>(tf.add(reference.adversarialLoss(reference.discriminator.call(x), 1), reference.adversarialLoss(reference.discriminator.call(fake), 0)), 2));
      fake.dispose();
    });
    await new Trainer({ ...quiet, logger: false, maxEpochs: 1 }).fit(model, { trainDataloaders: real });
    const expected = reference.stateDict();
    for (const [name, t] of Object.entries(model.stateDict())) {
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(t, expected[name] as Tensor))).dataSync()[0] as number);
      assert.ok(diff < 1e-6, `${name} differs by ${diff}`);
    }
    const moved = tf.tidy(() => tf.max(tf.abs(tf.sub(model.generator.at(0).parameters()[0]?.value as Tensor, initialG))).dataSync()[0] as number);
    assert.ok(moved > 1e-3, `the generator moved by ${moved}`);
    initialG.dispose();
    for (const t of [...real, ...noise]) t.dispose();
    model.dispose();
    reference.dispose();
  });

  it('ImageClassifier wraps an injected backbone (conv + linear) and trains it', async () => {
    seedEverything(5);
    const backbone = new nn.Sequential(
      new nn.Conv2d(1, 4, 3, { stride: 2 }),
      new nn.ReLU(),
      new nn.Flatten(),
      new nn.Linear(4 * 13 * 13, 10),
    );
    const model = new ImageClassifier(backbone);
    assert.ok(model.parameters().length === 4 && model.backbone === backbone);
    const logger = new InMemoryLogger();
    const trainer = new Trainer({ ...quiet, logger, maxEpochs: 3 });
    await trainer.fit(model, { trainDataloaders: loaderOf(await fashionSubset(256), 32, true), valDataloaders: loaderOf(await fashionSubset(128, 512), 128, false) });
    const epochLosses = series(logger, 'train_loss_epoch');
    assert.equal(epochLosses.length, 3);
    assert.ok((epochLosses[2] as number) < 0.7 * (epochLosses[0] as number), `train_loss_epoch ${epochLosses.join(' -> ')}`);
    const { first, last } = firstLast(series(logger, 'train_loss_step'), 4);
    assert.ok(last < 0.6 * first, `train_loss_step ${first.toFixed(3)} -> ${last.toFixed(3)}`);
    const valLoss = series(logger, 'val_loss');
    assert.ok((valLoss[2] as number) < (valLoss[0] as number), `val_loss ${valLoss.join(' -> ')}`);
    // The hyperparameters are saved, the injected backbone is trained in place.
    assert.deepEqual(model.hparams, { learningRate: 0.02 });
    assert.ok(model.stateDict()['backbone.0.weight'] !== undefined);
    model.dispose();
  });
});
