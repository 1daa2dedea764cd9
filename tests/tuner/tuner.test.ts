// Tuner: lrFind on a LitMNIST-like MLP over the shipped Fashion-MNIST sample (suggestion inside the searched range,
// weights restored bit for bit, RNG untouched), the suggestion rule, and scaleBatchSize in power mode.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { LightningModule } from '../../src/core/module.js';
import type { OptimizerConfigOutput } from '../../src/core/optimizer-config.js';
import type { DataSource } from '../../src/core/hooks.js';
import { DataLoader } from '../../src/data/dataloader.js';
import { FashionMNIST } from '../../src/data/node/mnist.js';
import { Subset } from '../../src/data/dataset.js';
import { MisconfigurationError } from '../../src/errors.js';
import { logSoftmax, nllLoss } from '../../src/nn/functional/index.js';
import { Linear } from '../../src/nn/linear.js';
import { SGD } from '../../src/optim/sgd.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { tf } from '../../src/runtime/tf.js';
import type { Scalar, Tensor } from '../../src/runtime/tf.js';
import { Trainer } from '../../src/trainer/trainer.js';
import { LrFinderResult, gradient, lrAtStep, resolveLrFinderOptions } from '../../src/tuner/lr-finder.js';
import { Tuner } from '../../src/tuner/tuner.js';
import { defaultGenerator } from '../../src/utilities/random.js';
import { seedEverything } from '../../src/utilities/seed.js';
import { BoringModel, RandomData } from '../helpers/boring-model.js';

type Batch = [Tensor, Tensor];

class LitMNIST extends LightningModule<Batch> {
  readonly l1 = new Linear(28 * 28, 64);
  readonly l2 = new Linear(64, 32);
  readonly l3 = new Linear(32, 10);
  lr = 1e-3;
  batchSize = 32;
  constructor(readonly data: DataSource<Batch> | (() => DataSource<Batch>)) {
    super();
  }
  override forward(x: Tensor): Tensor {
    const h1 = tf.relu(this.l1.call(tf.reshape(x, [-1, 28 * 28])));
    const h2 = tf.relu(this.l2.call(h1));
    return logSoftmax(this.l3.call(h2), 1);
  }
  override trainingStep([x, y]: Batch): Scalar {
    return nllLoss(this.forward(x), y) as Scalar;
  }
  override configureOptimizers(): OptimizerConfigOutput {
    return new SGD(this.parameters(), { lr: this.lr, momentum: 0.9 });
  }
  override trainDataloader(): DataSource<Batch> {
    return typeof this.data === 'function' ? this.data() : this.data;
  }
}

function weightBytes(m: LightningModule): Map<string, Uint8Array> {
  return new Map(Object.entries(m.stateDict()).map(([k, t]) => [k, new Uint8Array((t.dataSync() as Float32Array).slice().buffer)]));
}

const quiet = { accelerator: 'cpu', enableProgressBar: false, enableModelSummary: false, enableCheckpointing: false, logger: false, handleSignals: false } as const;

describe('Tuner.lrFind', () => {
  let loader: DataLoader<[unknown, number], Batch>;
  before(async () => {
    await selectBackend('cpu');
    const train = await FashionMNIST.load({ root: 'data/fashion-mnist-sample', systemPaths: [] });
    loader = new DataLoader(new Subset(train, Array.from({ length: 3200 }, (_, i) => i)), { batchSize: 32 }) as unknown as DataLoader<[unknown, number], Batch>;
  });

  it('returns a suggestion inside the searched range and restores the weights exactly (LitMNIST, Fashion-MNIST)', async () => {
    seedEverything(7);
    const model = new LitMNIST(loader);
    model.l3.eval();
    const before = weightBytes(model);
    const expectedDraw = (() => { seedEverything(11); return defaultGenerator.random(); })();
    seedEverything(11);
    const tensorsBefore = tf.memory().numTensors;
    const result = await new Tuner(new Trainer(quiet)).lrFind(model, { minLr: 1e-6, maxLr: 10, numTraining: 100 });
    assert.equal(defaultGenerator.random(), expectedDraw, 'global RNG as before the search');
    assert.ok(result.lrs.length >= 20 && result.lrs.length <= 100, `${result.lrs.length} steps`);
    assert.equal(result.losses.length, result.lrs.length);
    assert.equal(result.lrs[0], 1e-6);
    const suggestion = result.suggestion();
    assert.ok(suggestion !== undefined && suggestion >= 1e-6 && suggestion <= 10, `suggestion ${suggestion}`);
    assert.equal(model.lr, suggestion, 'updateAttr wrote the suggestion to model.lr');
    // The smoothed loss falls after its peak before diverging (a real curve, not a flat one).
    const tail = result.losses.slice(10).filter(Number.isFinite);
    assert.ok(Math.min(...tail.slice(tail.indexOf(Math.max(...tail.slice(0, 60))))) < Math.max(...tail) - 0.05);
    const after = weightBytes(model);
    for (const [name, bytes] of before) assert.deepEqual(after.get(name), bytes, `${name} restored bit for bit`);
    assert.equal(model.l3.training, false, 'training modes restored');
    assert.equal(model.l1.training, true);
    assert.ok(tf.memory().numTensors - tensorsBefore <= 3, `${tf.memory().numTensors - tensorsBefore} tensors left behind by the search`);
  });

  it('stops early when the loss diverges, and refuses a module without an lr field', async () => {
    const model = new LitMNIST(loader);
    const result = await new Tuner(new Trainer(quiet)).lrFind(model, { minLr: 1e-4, maxLr: 1e4, numTraining: 100, updateAttr: false });
    assert.ok(result.lrs.length < 100, `diverged after ${result.lrs.length} steps`);
    assert.equal(model.lr, 1e-3);
    await assert.rejects(new Tuner(new Trainer(quiet)).lrFind(new BoringModel()), MisconfigurationError);
  });
});

describe('lr finder math', () => {
  it('spaces the lrs exponentially or linearly from minLr', () => {
    const exp = resolveLrFinderOptions({ minLr: 1e-4, maxLr: 1, numTraining: 4 });
    assert.deepEqual([0, 1, 2, 3].map((i) => Number(lrAtStep(exp, i).toPrecision(6))), [1e-4, 1e-3, 1e-2, 1e-1]);
    const lin = resolveLrFinderOptions({ minLr: 0.1, maxLr: 0.5, numTraining: 4, mode: 'linear' });
    assert.deepEqual([0, 1, 2, 3].map((i) => Number(lrAtStep(lin, i).toFixed(6))), [0.1, 0.2, 0.3, 0.4]);
    assert.throws(() => resolveLrFinderOptions({ minLr: 1, maxLr: 0.5 }), MisconfigurationError);
  });

  it('uses torch.gradient with non-uniform spacing and picks the steepest descent', () => {
    // torch.gradient(torch.tensor([1., 4., 9., 16.]), spacing=[torch.tensor([1., 2., 4., 7.])]) = [3, 2.8333, 2.4333, 2.3333]
    assert.deepEqual(gradient([1, 4, 9, 16], [1, 2, 4, 7]).map((g) => Number(g.toFixed(4))), [3, 2.8333, 2.4333, 2.3333]);
    const lrs = Array.from({ length: 30 }, (_, i) => 10 ** (-5 + i / 6));
    const losses = lrs.map((_, i) => (i < 18 ? 2 - 0.01 * i : i < 22 ? 1.8 - 0.3 * (i - 17) : 0.6 + (i - 21)));
    losses[20] = Number.NaN;
    const r = new LrFinderResult(lrs, losses);
    const s = r.suggestion();
    assert.ok(s !== undefined && [lrs[18], lrs[19], lrs[21]].includes(s), `suggestion ${s}`);
    assert.equal(new LrFinderResult([1, 2, 3], [1, 2, 3]).suggestion(), undefined);
  });
});

describe('Tuner.scaleBatchSize', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('doubles until a trial runs out of memory and keeps the last size that fit, weights restored', async () => {
    class Sized extends BoringModel {
      batchSize = 1;
      readonly tried: number[] = [];
      override trainDataloader(): DataSource<Tensor> {
        return new RandomData(4, this.batchSize);
      }
      override trainingStep(batch: Tensor): Scalar {
        if (this.tried.at(-1) !== batch.shape[0]) this.tried.push(batch.shape[0] ?? 0);
        if ((batch.shape[0] ?? 0) > 16) throw new Error('OOM when allocating tensor: out of memory');
        return super.trainingStep(batch, 0);
      }
    }
    const model = new Sized();
    const before = weightBytes(model);
    const size = await new Tuner(new Trainer(quiet)).scaleBatchSize(model, { initVal: 2 });
    assert.equal(size, 16);
    assert.equal(model.batchSize, 16);
    assert.deepEqual(model.tried, [2, 4, 8, 16, 32]);
    for (const [name, bytes] of before) assert.deepEqual(weightBytes(model).get(name), bytes);
    const capped = new Sized();
    assert.equal(await new Tuner(new Trainer(quiet)).scaleBatchSize(capped, { initVal: 2, maxVal: 8 }), 8);
    await assert.rejects(new Tuner(new Trainer(quiet)).scaleBatchSize(new BoringModel()), /no numeric field "batchSize"/);
  });

  it('passes other errors through', async () => {
    class Broken extends BoringModel {
      batchSize = 2;
      override trainingStep(): Scalar {
        throw new Error('shape mismatch');
      }
    }
    await assert.rejects(new Tuner(new Trainer(quiet)).scaleBatchSize(new Broken()), /shape mismatch/);
  });
});
