// ModelCheckpoint file names, top-k, save-last and state (lightning-2.6.md §4.2), and loadFromCheckpoint.
import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { selectBackend } from '../../src/runtime/backend.js';
import type { Tensor } from '../../src/runtime/tf.js';
import { Trainer } from '../../src/trainer/trainer.js';
import type { TrainerOptions } from '../../src/trainer/trainer-options.js';
import { ModelCheckpoint } from '../../src/callbacks/model-checkpoint.js';
import type { ModelCheckpointOptions } from '../../src/callbacks/model-checkpoint.js';
import { formatCheckpointName, formatSpec } from '../../src/callbacks/checkpoint-filename.js';
import { MisconfigurationError, StateDictError } from '../../src/errors.js';
import { BoringModel, RandomData } from '../helpers/boring-model.js';

const VAL = [0.5, 0.3, 0.4, 0.2];

class Scripted extends BoringModel {
  constructor(readonly options: { hidden?: number } = {}) {
    super();
    this.saveHyperparameters({ hidden: options.hidden ?? 2 });
  }
  override validationStep(_batch: Tensor, _batchIdx: number): unknown {
    this.log('val_loss', VAL[this.currentEpoch] ?? 1);
    return undefined;
  }
}

function opts(dir: string, extra: Partial<TrainerOptions> = {}): TrainerOptions {
  return {
    maxEpochs: 4, limitTrainBatches: 2, limitValBatches: 1, numSanityValSteps: 0, logger: false,
    enableProgressBar: false, enableModelSummary: false, handleSignals: false, defaultRootDir: dir, ...extra,
  };
}

async function fitWith(options: ModelCheckpointOptions, extra: Partial<TrainerOptions> = {}): Promise<{ dir: string; cb: ModelCheckpoint; files: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'lts-ckpt-'));
  const cb = new ModelCheckpoint({ dirpath: join(dir, 'ckpt'), ...options });
  await new Trainer(opts(dir, { callbacks: [cb], ...extra })).fit(new Scripted());
  return { dir, cb, files: readdirSync(join(dir, 'ckpt')).sort() };
}

describe('ModelCheckpoint', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('formats file names like Lightning', () => {
    const m = { epoch: 2, step: 100, val_loss: 0.1234, 'val/acc': 0.9 };
    assert.equal(formatCheckpointName('{epoch}-{step}', m, { autoInsertMetricName: true }), 'epoch=2-step=100');
    assert.equal(formatCheckpointName('{epoch}-{val_loss:.2f}', m, { autoInsertMetricName: true }), 'epoch=2-val_loss=0.12');
    assert.equal(formatCheckpointName('{epoch:03d}', { epoch: 5 }, { autoInsertMetricName: true }), 'epoch=005');
    assert.equal(formatCheckpointName('{missing:d}', {}, { autoInsertMetricName: true }), 'missing=0');
    assert.equal(formatCheckpointName('e{epoch}-acc{val/acc:.1f}', m, { autoInsertMetricName: false }), 'e2-acc0.9');
    assert.equal(formatCheckpointName('{epoch}', m, { autoInsertMetricName: true, prefix: 'run', version: 1 }), 'run-epoch=2-v1');
    assert.equal(formatSpec(3.14159, '.3e'), '3.142e+00');
    assert.equal(formatSpec(-4, '04d'), '-004');
  });

  it('keeps the k best by the monitored metric', async () => {
    const { cb, files } = await fitWith({ monitor: 'val_loss', saveTopK: 2, filename: '{epoch}-{val_loss:.2f}' });
    assert.deepEqual(files, ['epoch=1-val_loss=0.30.ckpt', 'epoch=3-val_loss=0.20.ckpt']);
    assert.match(cb.bestModelPath, /epoch=3-val_loss=0\.20\.ckpt$/);
    assert.equal(cb.bestModelScore, 0.2);
    assert.equal(cb.kthValue, 0.3);
    assert.deepEqual(Object.values(cb.bestKModels).sort(), [0.2, 0.3]);
  });

  it('mode max, saveTopK -1 keeps all, saveTopK 0 keeps only last', async () => {
    const max = await fitWith({ monitor: 'val_loss', mode: 'max', saveTopK: 1 });
    assert.deepEqual(max.files, ['epoch=0-step=2.ckpt']);
    const all = await fitWith({ monitor: 'val_loss', saveTopK: -1 });
    assert.equal(all.files.length, 4);
    const none = await fitWith({ monitor: 'val_loss', saveTopK: 0, saveLast: true });
    assert.deepEqual(none.files, ['last.ckpt']);
  });

  it('without a monitor keeps the latest; saveLast writes last.ckpt or a link', async () => {
    const latest = await fitWith({ saveLast: true });
    assert.deepEqual(latest.files, ['epoch=3-step=8.ckpt', 'last.ckpt']);
    const linked = await fitWith({ monitor: 'val_loss', saveLast: 'link' });
    const last = join(linked.dir, 'ckpt', 'last.ckpt');
    assert.ok(lstatSync(last).isSymbolicLink());
    assert.match(readlinkSync(last), /epoch=3-step=8\.ckpt$/);
  });

  it('adds -v1 when a file with the same name exists, unless disabled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lts-ckpt-'));
    const ckptDir = join(dir, 'ckpt');
    const cb = new ModelCheckpoint({ dirpath: ckptDir, filename: 'fixed' });
    await new Trainer(opts(dir, { callbacks: [cb], maxEpochs: 1 })).fit(new Scripted());
    writeFileSync(join(ckptDir, 'other.txt'), 'x');
    const cb2 = new ModelCheckpoint({ dirpath: ckptDir, filename: 'fixed' });
    await new Trainer(opts(dir, { callbacks: [cb2], maxEpochs: 1 })).fit(new Scripted());
    assert.deepEqual(readdirSync(ckptDir).sort(), ['fixed-v1.ckpt', 'fixed.ckpt', 'other.txt']);
  });

  it('a monitor that is never logged is an error listing the available keys', async () => {
    await assert.rejects(fitWith({ monitor: 'val_acc' }), (e: unknown) => {
      assert.ok(e instanceof MisconfigurationError);
      assert.match(String(e), /could not find the monitored key.*val_loss/s);
      assert.match(String(e), /hint: Did you call this\.log\("val_acc"/);
      return true;
    });
  });

  it('state round-trips and rejects invalid options', async () => {
    const { cb } = await fitWith({ monitor: 'val_loss', saveTopK: 2 });
    const copy = new ModelCheckpoint({ dirpath: cb.dirpath!, monitor: 'val_loss', saveTopK: 2 });
    copy.loadStateDict(JSON.parse(JSON.stringify(cb.stateDict())) as Record<string, unknown>);
    assert.deepEqual(copy.stateDict(), cb.stateDict());
    assert.throws(() => new ModelCheckpoint({ saveTopK: -2 }), MisconfigurationError);
    assert.throws(() => new ModelCheckpoint({ saveTopK: 3 }), /nothing to rank by/);
  });

  it('loadFromCheckpoint rebuilds the module from hyperparameters and weights, in eval mode', async () => {
    const { cb } = await fitWith({ monitor: 'val_loss' });
    const model = await Scripted.loadFromCheckpoint(cb.bestModelPath);
    assert.ok(model instanceof Scripted);
    assert.equal(model.training, false);
    assert.deepEqual(model.hparams, { hidden: 2 });
    const overridden = await Scripted.loadFromCheckpoint(cb.bestModelPath, { overrides: { hidden: 5 } });
    assert.deepEqual(overridden.hparams, { hidden: 5 });
    assert.deepEqual(await model.layer.weight.value.data(), await overridden.layer.weight.value.data());
    class Bigger extends Scripted {
      readonly extra = new BoringModel();
    }
    await assert.rejects(Bigger.loadFromCheckpoint(cb.bestModelPath), StateDictError);
    const partial = await Bigger.loadFromCheckpoint(cb.bestModelPath, { strict: false });
    assert.deepEqual(await partial.layer.weight.value.data(), await model.layer.weight.value.data());
  });
});

describe('LightningDataModule.loadFromCheckpoint', () => {
  it('rebuilds the data module from its saved hyperparameters and state', async () => {
    const { LightningDataModule } = await import('../../src/core/datamodule.js');
    class DM extends LightningDataModule<Tensor> {
      position = 0;
      constructor(readonly options: { batchSize: number }) {
        super();
        this.saveHyperparameters(options);
      }
      override trainDataloader(): RandomData {
        return new RandomData(2);
      }
      override stateDict(): Record<string, unknown> {
        return { position: 7 };
      }
      override loadStateDict(state: Record<string, unknown>): void {
        this.position = Number(state.position);
      }
    }
    const dir = mkdtempSync(join(tmpdir(), 'lts-dm-'));
    const cb = new ModelCheckpoint({ dirpath: join(dir, 'ckpt') });
    await new Trainer(opts(dir, { callbacks: [cb], maxEpochs: 1, limitValBatches: 0 })).fit(new Scripted(), { datamodule: new DM({ batchSize: 3 }) });
    const dm = await DM.loadFromCheckpoint(cb.bestModelPath, { overrides: { extra: true } });
    assert.deepEqual(dm.hparams, { batchSize: 3, extra: true });
    assert.equal(dm.position, 7);
  });
});
