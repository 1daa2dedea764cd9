// Smoke test of examples/autoencoder: a few batches on the cpu backend; the loss falls and the PNGs decode.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readCsvMetrics, selectBackend } from '../../src/index.js';
import { nodeLogFileSystem } from '../../src/loggers/node-fs.js';
import { trainAutoencoder } from '../../examples/autoencoder/train.js';
import { decodeGrayPng } from './png-reader.js';

describe('examples/autoencoder', () => {
  const rootDir = mkdtempSync(join(tmpdir(), 'lt-autoencoder-'));
  before(async () => {
    await selectBackend('cpu');
  });
  after(() => rmSync(rootDir, { recursive: true, force: true }));

  it('trains, logs val_loss per epoch, and saves reconstruction grids that decode', async () => {
    const { model, metrics, logDir, pngs } = await trainAutoencoder({
      maxEpochs: 2, limitTrainBatches: 4, lr: 1e-2, limitValBatches: 1, rootDir, accelerator: 'cpu', enableProgressBar: false,
    });
    assert.ok(logDir.startsWith(rootDir), logDir);
    // val_loss of epoch 0 and 1, from the CSV the logger wrote.
    const csv = readCsvMetrics(nodeLogFileSystem, join(logDir, 'metrics.csv'));
    const valLoss = csv.rows.flatMap((r) => (r.val_loss === undefined ? [] : [r.val_loss]));
    assert.equal(valLoss.length, 2, JSON.stringify(csv.rows));
    // An untrained decoder outputs ≈ 0.5 everywhere: MSE ≈ 0.15 on Fashion-MNIST. Four Adam steps (lr 1e-2) per epoch get well below it.
    assert.ok((valLoss[0] as number) < 0.1 && (valLoss[1] as number) < 0.9 * (valLoss[0] as number), `val_loss ${valLoss.join(' -> ')}`);
    assert.equal(metrics.val_loss, valLoss[1]);
    assert.deepEqual(pngs.map((p) => p.slice(logDir.length)), ['/reconstructions/epoch=0.png', '/reconstructions/epoch=1.png']);
    const png = decodeGrayPng(readFileSync(pngs[1] as string));
    // 8 images of 28 px with 2 px gaps, two rows (originals, reconstructions).
    assert.equal(png.width, 8 * 30 + 2);
    assert.equal(png.height, 2 * 30 + 2);
    // The gap is black; both rows have ink; the reconstruction is close to the original but not a copy.
    assert.equal(png.pixels[0], 0);
    const row = (r: number): number[] => Array.from({ length: 28 * 28 }, (_, i) => png.pixels[(2 + r * 30 + Math.floor(i / 28)) * png.width + 2 + (i % 28)] as number);
    const [orig, recon] = [row(0), row(1)];
    const meanAbs = orig.reduce((s, v, i) => s + Math.abs(v - (recon[i] as number)), 0) / orig.length;
    assert.ok(orig.some((v) => v > 100) && recon.some((v) => v > 50));
    assert.ok(meanAbs > 1 && meanAbs < 80, `mean |original - reconstruction| = ${meanAbs.toFixed(1)} of 255`);
    model.dispose();
  });
});
