// Smoke test of examples/fashion-mnist-cnn: a few batches on the cpu backend, then test from the best checkpoint.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { selectBackend } from '../../src/index.js';
import { LitMNISTCNN } from '../../examples/fashion-mnist-cnn/lit-cnn.js';
import { trainFashionMnistCnn } from '../../examples/fashion-mnist-cnn/train.js';

describe('examples/fashion-mnist-cnn', () => {
  const rootDir = mkdtempSync(join(tmpdir(), 'lt-cnn-'));
  before(async () => {
    await selectBackend('cpu');
  });
  after(() => rmSync(rootDir, { recursive: true, force: true }));

  it('trains the CNN a few batches, checkpoints it, and tests the best checkpoint above chance', async () => {
    const { model, test, bestPath } = await trainFashionMnistCnn({ maxEpochs: 1, limitTrainBatches: 12, limitEvalBatches: 1, rootDir, accelerator: 'cpu', enableProgressBar: false });
    assert.ok(bestPath.startsWith(rootDir) && existsSync(bestPath), bestPath);
    assert.match(bestPath, /epoch=0-val_acc=0\.\d{4}\.ckpt$/);
    // Twelve Adam steps take ten balanced classes well above the 10 % of chance and the loss below ln 10 = 2.30.
    assert.ok((test.test_acc ?? 0) > 0.3, `test_acc ${test.test_acc}`);
    assert.ok((test.test_loss ?? 9) < 2.0, `test_loss ${test.test_loss}`);
    // 1·16·9+16 + 16·32·9+32 + 32·49·10+10 parameters, and the checkpoint restores into a fresh module.
    assert.equal(model.numParameters(), 160 + 4640 + 15690);
    const restored = await LitMNISTCNN.loadFromCheckpoint(bestPath);
    assert.deepEqual(restored.hparams, { channels: 16, dropout: 0.25, lr: 1e-3 });
    restored.dispose();
    model.dispose();
  });
});
