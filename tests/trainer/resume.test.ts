// Resume equivalence (issue 5, must-show 1): a run interrupted at an epoch end or mid-epoch and resumed from its
// checkpoint ends with bit-identical parameters, optimizer state and logged metrics, with shuffling and dropout on.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { selectBackend } from '../../src/runtime/backend.js';
import { tf } from '../../src/runtime/tf.js';
import type { Scalar, Tensor } from '../../src/runtime/tf.js';
import { seedEverything } from '../../src/utilities/seed.js';
import { LightningModule } from '../../src/core/module.js';
import type { OptimizerConfigOutput } from '../../src/core/optimizer-config.js';
import { Linear } from '../../src/nn/linear.js';
import { Dropout } from '../../src/nn/dropout.js';
import { Adam } from '../../src/optim/adam.js';
import { StepLR } from '../../src/optim/lr-scheduler.js';
import { DataLoader } from '../../src/data/dataloader.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { Trainer } from '../../src/trainer/trainer.js';
import type { TrainerOptions } from '../../src/trainer/trainer-options.js';
import { ModelCheckpoint } from '../../src/callbacks/model-checkpoint.js';
import { Callback } from '../../src/callbacks/callback.js';
import type { TrainerContext } from '../../src/core/trainer-context.js';
import type { DataSource } from '../../src/core/hooks.js';
import { InMemoryLogger } from '../../src/loggers/in-memory-logger.js';

type Batch = [Tensor, Tensor];

class Net extends LightningModule<Batch> {
  readonly fc1 = new Linear(4, 16);
  readonly drop = new Dropout(0.3);
  readonly fc2 = new Linear(16, 1);
  x = tf.keep(tf.tidy(() => tf.randomNormal([40, 4], 0, 1, 'float32', 11)));
  y = tf.keep(tf.tidy(() => tf.sum(this.x, 1, true)));

  override forward(x: Tensor): Tensor {
    return this.fc2.call(this.drop.call(tf.relu(this.fc1.call(x))));
  }
  override trainingStep([x, y]: Batch): Scalar {
    const loss = tf.mean<Scalar>(tf.square(tf.sub(this.forward(x), y)));
    this.log('train_loss', loss, { onStep: true, onEpoch: true });
    return loss;
  }
  override validationStep([x, y]: Batch): unknown {
    this.log('val_loss', tf.mean(tf.square(tf.sub(this.forward(x), y))));
    return undefined;
  }
  override configureOptimizers(): OptimizerConfigOutput {
    const optimizer = new Adam(this.parameters(), { lr: 0.01 });
    return { optimizer, lrScheduler: { scheduler: new StepLR(optimizer, { stepSize: 3, gamma: 0.5 }), interval: 'step' } };
  }
  override trainDataloader(): DataSource<Batch> {
    return new DataLoader(new TensorDataset(this.x, this.y), { batchSize: 8, shuffle: true }) as DataSource<Batch>;
  }
  override valDataloader(): DataSource<Batch> {
    return new DataLoader(new TensorDataset(this.x, this.y), { batchSize: 20 }) as DataSource<Batch>;
  }
}

/** Simulates a crash: throws in onTrainBatchEnd at `step`, before the checkpoint callback (which runs last) saves it. */
class Crash extends Callback {
  constructor(private readonly step: number) {
    super();
  }
  override onTrainBatchEnd(trainer: TrainerContext): void {
    if (trainer.globalStep === this.step) throw new Error('simulated crash');
  }
}

function options(dir: string, logger: InMemoryLogger, extra: Partial<TrainerOptions>): TrainerOptions {
  return {
    maxEpochs: 3, logger, logEveryNSteps: 1, enableProgressBar: false, enableModelSummary: false, handleSignals: false,
    defaultRootDir: dir, numSanityValSteps: 0, ...extra,
  };
}

async function snapshot(model: Net, trainer: Trainer): Promise<{ params: number[][]; opt: string }> {
  const params = await Promise.all(model.parameters().map(async (p) => Array.from(await p.value.data())));
  const sd = trainer.optimizers[0]!.stateDict();
  const opt = JSON.stringify(await Promise.all(Object.values(sd.state).map(async (s) =>
    Promise.all(Object.entries(s).map(async ([k, v]) => [k, typeof v === 'number' ? v : Array.from(await v.data())])),
  )));
  return { params, opt };
}

async function reference(dir: string): Promise<{ snap: Awaited<ReturnType<typeof snapshot>>; rows: InMemoryLogger['rows'] }> {
  seedEverything(123);
  const model = new Net();
  const logger = new InMemoryLogger();
  const trainer = new Trainer(options(dir, logger, { enableCheckpointing: false }));
  await trainer.fit(model);
  return { snap: await snapshot(model, trainer), rows: logger.rows };
}

describe('resume equivalence', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  for (const [label, crashStep, every] of [['on the last batch of an epoch', 10, 5], ['mid-epoch', 7, 1], ['in onTrainEpochEnd', 8, undefined]] as const) {
    it(`interrupted ${label} and resumed equals the uninterrupted run`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lts-resume-'));
      const ref = await reference(dir);

      seedEverything(123);
      const first = new Net();
      const firstLogger = new InMemoryLogger();
      // A crash loses what was logged after the last checkpoint: keep the rows written up to that save.
      let rowsAtCheckpoint = 0;
      firstLogger.afterSaveCheckpoint = () => {
        rowsAtCheckpoint = firstLogger.rows.length;
      };
      const checkpoint = new ModelCheckpoint({ dirpath: join(dir, 'ckpt'), saveLast: true, saveTopK: 0, ...(every === undefined ? {} : { everyNTrainSteps: every }) });
      await assert.rejects(
        new Trainer(options(dir, firstLogger, { callbacks: [new Crash(crashStep), checkpoint] })).fit(first),
        /simulated crash/,
      );

      seedEverything(999); // a different seed: everything random must come from the checkpoint
      const resumed = new Net();
      const resumedLogger = new InMemoryLogger();
      const trainer = new Trainer(options(dir, resumedLogger, { callbacks: [new ModelCheckpoint({ dirpath: join(dir, 'ckpt'), saveLast: true, saveTopK: 0, ...(every === undefined ? {} : { everyNTrainSteps: every }) })] }));
      await trainer.fit(resumed, { ckptPath: join(dir, 'ckpt', 'last.ckpt') });
      const snap = await snapshot(resumed, trainer);

      assert.deepEqual(snap.params, ref.snap.params);
      assert.equal(snap.opt, ref.snap.opt);
      const before = firstLogger.rows.slice(0, rowsAtCheckpoint);
      assert.deepEqual([...before, ...resumedLogger.rows], ref.rows);
    });
  }
});
