// Smoke test of examples/gan: three batches on the cpu backend with two optimizers under manual optimization.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { selectBackend, seedEverything, tf } from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { GAN } from '../../examples/gan/gan.js';
import { trainGan } from '../../examples/gan/train.js';
import { decodeGrayPng } from './png-reader.js';

describe('examples/gan', () => {
  const rootDir = mkdtempSync(join(tmpdir(), 'lt-gan-'));
  before(async () => {
    await selectBackend('cpu');
  });
  after(() => rmSync(rootDir, { recursive: true, force: true }));

  it('steps both optimizers every batch, moves both networks, and saves sample grids', async () => {
    seedEverything(1);
    const model = new GAN({ hidden: 64 });
    const initial = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, tf.clone(t)]));
    const { metrics, globalStep, pngs } = await trainGan({ model, maxEpochs: 1, limitTrainBatches: 3, rootDir, accelerator: 'cpu', enableProgressBar: false });
    // Manual optimization with two optimizers: each optimizer.step() counts, two per batch.
    assert.equal(globalStep, 6);
    const { g_loss: g, d_loss: d } = metrics;
    assert.ok(g !== undefined && d !== undefined && Number.isFinite(g) && Number.isFinite(d), JSON.stringify(metrics));
    // Near the start the discriminator is close to chance: its loss is near ln 2 = 0.69, as is the generator's.
    assert.ok(Math.abs(d - Math.log(2)) < 0.3 && Math.abs(g - Math.log(2)) < 0.5, `g_loss ${g}, d_loss ${d}`);
    for (const [name, t] of Object.entries(model.stateDict())) {
      const moved = tf.tidy(() => tf.max(tf.abs(tf.sub(t, initial[name] as Tensor))).dataSync()[0] as number);
      assert.ok(moved > 1e-5, `${name} moved by ${moved}`);
    }
    assert.equal(pngs.length, 1);
    const png = decodeGrayPng(readFileSync(pngs[0] as string));
    assert.deepEqual([png.width, png.height], [8 * 30 + 2, 2 * 30 + 2]);
    // Sigmoid outputs of an almost untrained generator are mid-gray, never all black.
    const inside = png.pixels[(2 + 14) * png.width + 2 + 14] as number;
    assert.ok(inside > 40 && inside < 215, `pixel ${inside}`);
    tf.dispose(Object.values(initial));
    model.dispose();
  });
});
