// Trainer features beyond the hook order: estimatedSteppingBatches, graceful SIGINT, predictStream, fastDevRun.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { selectBackend } from '../../src/runtime/backend.js';
import { tf } from '../../src/runtime/tf.js';
import type { Tensor } from '../../src/runtime/tf.js';
import { Trainer } from '../../src/trainer/trainer.js';
import { OneCycleLR } from '../../src/optim/lr-scheduler-cyclic.js';
import { SGD } from '../../src/optim/sgd.js';
import type { OptimizerConfigOutput } from '../../src/core/optimizer-config.js';
import type { DataSource } from '../../src/core/hooks.js';
import { BoringModel, RandomData } from '../helpers/boring-model.js';

const quiet = { logger: false, enableProgressBar: false, enableModelSummary: false, enableCheckpointing: false, handleSignals: false } as const;

describe('Trainer features', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('estimatedSteppingBatches works inside configureOptimizers (OneCycleLR total steps)', async () => {
    let requested = 0;
    let total = 0;
    class M extends BoringModel {
      override trainDataloader(): DataSource<Tensor> {
        requested += 1;
        return new RandomData(8);
      }
      override configureOptimizers(): OptimizerConfigOutput {
        total = this.trainer.estimatedSteppingBatches;
        const optimizer = new SGD(this.parameters(), { lr: 0.1 });
        return { optimizer, lrScheduler: { scheduler: new OneCycleLR(optimizer, { maxLr: 0.1, totalSteps: total }), interval: 'step' } };
      }
    }
    const trainer = new Trainer({ ...quiet, maxEpochs: 3, accumulateGradBatches: 2, limitValBatches: 0 });
    await trainer.fit(new M());
    assert.equal(total, 12);
    assert.equal(requested, 1);
    assert.equal(trainer.globalStep, 12);
  });

  it('SIGINT finishes the batch, calls onException and returns with status "interrupted"', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'interrupt-child.ts')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('READY') && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0);
    const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { status: string; step: number; exceptions: number };
    assert.equal(result.status, 'interrupted');
    assert.equal(result.exceptions, 1);
    assert.ok(result.step >= 2 && result.step < 40, `stopped soon after the signal (step ${result.step})`);
  });

  it('predictStream yields each batch as it is computed; predict collects them', async () => {
    const trainer = new Trainer({ ...quiet, limitPredictBatches: 3 });
    const model = new BoringModel();
    const seen: number[] = [];
    for await (const item of trainer.predictStream(model)) {
      seen.push(item.batchIdx);
      assert.deepEqual((item.prediction as Tensor).shape, [2, 2]);
      (item.prediction as Tensor).dispose();
    }
    assert.deepEqual(seen, [0, 1, 2]);
    const all = await trainer.predict(model, { dataloaders: [new RandomData(2), new RandomData(1)] });
    assert.equal(all.length, 2);
    assert.deepEqual((all as Tensor[][]).map((l) => l.length), [2, 1]);
  });

  it('fastDevRun runs one batch of each loop and writes no checkpoint or logs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lts-fdr-'));
    const trainer = new Trainer({ fastDevRun: true, defaultRootDir: dir, enableProgressBar: false, handleSignals: false });
    await trainer.fit(new BoringModel());
    assert.equal(trainer.globalStep, 1);
    assert.equal(trainer.currentEpoch, 1);
    assert.ok(!existsSync(join(dir, 'checkpoints')) && !existsSync(join(dir, 'lightning_logs')));
  });

  it('overfitBatches trains and validates on the same first batches', async () => {
    const seen: string[] = [];
    class M extends BoringModel {
      override trainDataloader(): DataSource<Tensor> {
        return [0, 1, 2, 3, 4].map((i) => tf.fill([2, 32], i));
      }
      override trainingStep(batch: Tensor, batchIdx: number): ReturnType<BoringModel['trainingStep']> {
        seen.push(`t${batch.dataSync()[0]}`);
        return super.trainingStep(batch, batchIdx);
      }
      override validationStep(batch: Tensor): unknown {
        seen.push(`v${batch.dataSync()[0]}`);
        return undefined;
      }
    }
    await new Trainer({ ...quiet, maxEpochs: 2, overfitBatches: 2, numSanityValSteps: 0 }).fit(new M());
    assert.deepEqual(seen, ['t0', 't1', 'v0', 'v1', 't0', 't1', 'v0', 'v1']);
  });

  it('detectAnomaly names the non-finite loss', async () => {
    class M extends BoringModel {
      override trainingStep(): ReturnType<BoringModel['trainingStep']> {
        return tf.div(tf.scalar(0), tf.sum(tf.mul(this.layer.weight.value, 0)));
      }
    }
    await assert.rejects(new Trainer({ ...quiet, maxEpochs: 1, detectAnomaly: true, limitValBatches: 0 }).fit(new M()), /trainingStep is NaN or infinite[\s\S]*hint:/);
  });

  it('GradientAccumulationScheduler changes the accumulation factor per epoch', async () => {
    const { GradientAccumulationScheduler } = await import('../../src/callbacks/gradient-accumulation-scheduler.js');
    const trainer = new Trainer({ ...quiet, maxEpochs: 3, limitValBatches: 0, callbacks: [new GradientAccumulationScheduler({ scheduling: { 1: 2, 2: 4 } })] });
    await trainer.fit(new BoringModel(), { trainDataloaders: new RandomData(8) });
    // epoch 0: 8 steps, epoch 1: 4 steps (factor 2), epoch 2: 2 steps (factor 4)
    assert.equal(trainer.globalStep, 8 + 4 + 2);
  });
});

