// After every training epoch, draw images from the same fixed noise and save them as `<logDir>/samples/epoch=<N>.png`.
import { join } from 'node:path';
import { Callback, tf } from '../../src/index.js';
import type { Tensor, TrainerContext } from '../../src/index.js';
import { imageGrid, savePng } from '../autoencoder/image-grid.js';
import type { GAN } from './gan.js';

/** Saves a grid of generated images per epoch (two rows of `perRow`), always from the same noise. */
export class GeneratedSamples extends Callback {
  private noise: Tensor | undefined;
  /** Paths of the PNG files written so far. */
  readonly written: string[] = [];

  /** @param perRow images per row. Default: 8. */
  constructor(private readonly perRow = 8) {
    super();
  }

  override onTrainEpochEnd(trainer: TrainerContext, module: GAN): void {
    if (!trainer.isGlobalZero) return;
    this.noise ??= tf.keep(module.sampleNoise(2 * this.perRow));
    const noise = this.noise;
    const rows = tf.tidy(() => tf.split(module.forward(noise), 2, 0));
    const path = join(trainer.logDir, 'samples', `epoch=${trainer.currentEpoch}.png`);
    savePng(path, imageGrid(rows));
    tf.dispose(rows);
    this.written.push(path);
  }

  override teardown(): void {
    this.noise?.dispose();
    this.noise = undefined;
  }
}
