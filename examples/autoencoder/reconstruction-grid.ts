// A callback that keeps a few validation images and, after each validation epoch, saves them next to their
// reconstructions as `<logDir>/reconstructions/epoch=<N>.png`.
import { join } from 'node:path';
import { Callback, tf } from '../../src/index.js';
import type { LightningModule, Tensor, TrainerContext } from '../../src/index.js';
import { imageGrid, savePng } from './image-grid.js';

/** Saves originals (top row) and reconstructions (bottom row) of the first validation images as a PNG. */
export class ReconstructionGrid extends Callback {
  private images: Tensor | undefined;
  /** Paths of the PNG files written so far. */
  readonly written: string[] = [];

  /** @param count how many images to show (taken from the first validation batch). Default: 8. */
  constructor(private readonly count = 8) {
    super();
  }

  override onValidationBatchStart(_trainer: TrainerContext, _module: LightningModule, batch: unknown, batchIdx: number, dataloaderIdx: number): void {
    if (this.images !== undefined || batchIdx !== 0 || dataloaderIdx !== 0) return;
    const [x] = batch as [Tensor];
    const n = Math.min(this.count, x.shape[0] ?? 0);
    this.images = tf.keep(tf.slice(x, 0, n));
  }

  override onValidationEpochEnd(trainer: TrainerContext, module: LightningModule): void {
    if (trainer.sanityChecking || this.images === undefined || !trainer.isGlobalZero) return;
    const images = this.images;
    const reconstructions = tf.tidy(() => module.forward(images) as Tensor);
    const path = join(trainer.logDir, 'reconstructions', `epoch=${trainer.currentEpoch}.png`);
    savePng(path, imageGrid([images, reconstructions]));
    reconstructions.dispose();
    this.written.push(path);
  }

  override teardown(): void {
    this.images?.dispose();
    this.images = undefined;
  }
}
