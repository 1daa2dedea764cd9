// Train the autoencoder on Fashion-MNIST; a PNG of reconstructions is written to the log dir after every epoch.
//   npx tsx examples/autoencoder/train.ts [--epochs 5] [--full] [--accelerator wasm]
import { parseArgs } from 'node:util';
import { CSVLogger, Trainer, seedEverything } from '../../src/index.js';
import type { BackendName } from '../../src/index.js';
import { FashionMNISTDataModule } from '../fashion-mnist/datamodule.js';
import { LitAutoEncoder } from './lit-autoencoder.js';
import { ReconstructionGrid } from './reconstruction-grid.js';

/** Options of `trainAutoencoder`. */
export interface TrainAutoencoderOptions {
  /** Epochs. Default: 5. */
  maxEpochs?: number;
  /** Training batches per epoch (fraction or count). Default: all. */
  limitTrainBatches?: number;
  /** Validation batches (fraction or count). Default: all. */
  limitValBatches?: number;
  /** Where logs, checkpoints and PNGs go. Default: "lightning_logs". */
  rootDir?: string;
  /** Backend. Default: "auto". */
  accelerator?: BackendName;
  /** Use the full Fashion-MNIST instead of the shipped sample. Default: false. */
  full?: boolean;
  /** Adam learning rate. Default: 2e-3. */
  lr?: number;
  /** Show the progress bar. Default: true. */
  enableProgressBar?: boolean;
}

/** What `trainAutoencoder` returns. */
export interface AutoencoderResult {
  model: LitAutoEncoder;
  /** Metrics of the last validation (`val_loss`, ...). */
  metrics: Record<string, number>;
  /** The run's log dir and the PNG files written there. */
  logDir: string;
  pngs: string[];
}

/** Fit the autoencoder and return it with its metrics and the reconstruction PNGs. */
export async function trainAutoencoder(options: TrainAutoencoderOptions = {}): Promise<AutoencoderResult> {
  seedEverything(42);
  const grid = new ReconstructionGrid(8);
  const trainer = new Trainer({
    maxEpochs: options.maxEpochs ?? 5,
    accelerator: options.accelerator ?? 'auto',
    logger: new CSVLogger({ saveDir: options.rootDir ?? 'lightning_logs', name: 'autoencoder' }),
    callbacks: [grid],
    enableProgressBar: options.enableProgressBar ?? true,
    ...(options.limitTrainBatches === undefined ? {} : { limitTrainBatches: options.limitTrainBatches }),
    ...(options.limitValBatches === undefined ? {} : { limitValBatches: options.limitValBatches }),
  });
  const model = new LitAutoEncoder({ latentDim: 16, lr: options.lr ?? 2e-3 });
  await trainer.fit(model, { datamodule: new FashionMNISTDataModule({ full: options.full ?? false, batchSize: 64 }) });
  return { model, metrics: { ...trainer.callbackMetrics }, logDir: trainer.logDir, pngs: grid.written };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { epochs: { type: 'string' }, full: { type: 'boolean' }, accelerator: { type: 'string' } } });
  const result = await trainAutoencoder({
    ...(values.epochs === undefined ? {} : { maxEpochs: Number(values.epochs) }),
    full: values.full ?? false,
    ...(values.accelerator === undefined ? {} : { accelerator: values.accelerator as BackendName }),
  });
  console.log(`val_loss ${result.metrics.val_loss?.toFixed(4)}; reconstructions: ${result.pngs.at(-1) ?? 'none'}`);
}
