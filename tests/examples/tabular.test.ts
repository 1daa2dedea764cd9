// Smoke test of examples/tabular on the shipped iris.csv: classification of the species and regression of petal width.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { selectBackend } from '../../src/index.js';
import { CsvDataModule } from '../../examples/tabular/datamodule.js';
import { trainTabular } from '../../examples/tabular/train.js';

describe('examples/tabular', () => {
  const rootDir = mkdtempSync(join(tmpdir(), 'lt-tabular-'));
  before(async () => {
    await selectBackend('cpu');
  });
  after(() => rmSync(rootDir, { recursive: true, force: true }));

  it('reads iris.csv: 4 features, 3 species, a 120/30 split with standardised training features', async () => {
    const dm = new CsvDataModule();
    await dm.setup('fit');
    assert.equal(dm.numFeatures, 4);
    assert.equal(dm.numClasses, 3);
    assert.deepEqual(dm.table?.categories.species, ['setosa', 'versicolor', 'virginica']);
    const train = dm.trainDataloader();
    let rows = 0;
    let sum = 0;
    let sumSq = 0;
    for await (const [x, y] of train) {
      rows += x.shape[0] ?? 0;
      const values = x.dataSync();
      for (const v of values) {
        sum += v;
        sumSq += v * v;
      }
      assert.equal(y.dtype, 'int32');
      x.dispose();
      y.dispose();
    }
    assert.equal(rows, 120);
    // Standardised with the training split's own statistics: mean 0, variance 1 over all features.
    assert.ok(Math.abs(sum / (rows * 4)) < 1e-5, `mean ${sum / (rows * 4)}`);
    assert.ok(Math.abs(sumSq / (rows * 4) - 1) < 1e-4, `variance ${sumSq / (rows * 4)}`);
  });

  it('classifies the species: the epoch loss falls and validation accuracy is high', async () => {
    const { task, metrics, epochLosses, model } = await trainTabular({ maxEpochs: 6, rootDir, accelerator: 'cpu', enableProgressBar: false });
    assert.equal(task, 'classification');
    assert.equal(epochLosses.length, 6);
    assert.ok((epochLosses[0] as number) > 0.6 && (epochLosses[5] as number) < 0.5 * (epochLosses[0] as number), `train_loss_epoch ${epochLosses.join(' -> ')}`);
    assert.ok((metrics.val_acc ?? 0) >= 0.8, `val_acc ${metrics.val_acc}`);
    model.dispose();
  });

  it('regresses petal width from the other columns (species one-hot encoded)', async () => {
    const { task, metrics, model } = await trainTabular({ target: 'petal_width', maxEpochs: 6, rootDir, accelerator: 'cpu', enableProgressBar: false });
    assert.equal(task, 'regression');
    assert.equal(model.hparams.numFeatures, 3 + 3);
    // Petal width has a standard deviation of 0.76 cm; the model must do much better than predicting the mean.
    assert.ok((metrics.val_mae ?? 1) < 0.35, `val_mae ${metrics.val_mae}`);
    model.dispose();
  });
});
