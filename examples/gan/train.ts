// Train the GAN on Fashion-MNIST; a grid of generated images is saved to the log dir after every epoch.
//   npx tsx examples/gan/train.ts [--epochs 10] [--full] [--accelerator wasm]
import { parseArgs } from 'node:util';
import { CSVLogger, Trainer, seedEverything } from '../../src/index.js';
import type { BackendName } from '../../src/index.js';
import { FashionMNISTDataModule } from '../fashion-mnist/datamodule.js';
import { GAN } from './gan.js';
import { GeneratedSamples } from './generated-samples.js';

/** Options of `trainGan`. */
export interface TrainGanOptions {
  /** Epochs. Default: 10. */
  maxEpochs?: number;
  /** Training batches per epoch (fraction or count). Default: all. */
  limitTrainBatches?: number;
  /** Where logs, checkpoints and sample grids go. Default: "lightning_logs". */
  rootDir?: string;
  /** Backend. Default: "auto". */
  accelerator?: BackendName;
  /** Use the full Fashion-MNIST instead of the shipped sample. Default: false. */
  full?: boolean;
  /** The model to train. Default: \`new GAN()\`. */
  model?: GAN;
  /** Show the progress bar. Default: true. */
  enableProgressBar?: boolean;
}

/** What `trainGan` returns. */
export interface GanResult {
  model: GAN;
  metrics: Record<string, number>;
  globalStep: number;
  pngs: string[];
}

/** Fit the GAN (validation is not used) and return it with its last losses and the sample PNGs. */
export async function trainGan(options: TrainGanOptions = {}): Promise<GanResult> {
  seedEverything(42);
  const samples = new GeneratedSamples(8);
  const trainer = new Trainer({
    maxEpochs: options.maxEpochs ?? 10,
    accelerator: options.accelerator ?? 'auto',
    logger: new CSVLogger({ saveDir: options.rootDir ?? 'lightning_logs', name: 'gan' }),
    callbacks: [samples],
    limitValBatches: 0,
    enableProgressBar: options.enableProgressBar ?? true,
    ...(options.limitTrainBatches === undefined ? {} : { limitTrainBatches: options.limitTrainBatches }),
  });
  const model = options.model ?? new GAN();
  await trainer.fit(model, { datamodule: new FashionMNISTDataModule({ full: options.full ?? false, batchSize: 64 }) });
  return { model, metrics: { ...trainer.callbackMetrics }, globalStep: trainer.globalStep, pngs: samples.written };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { epochs: { type: 'string' }, full: { type: 'boolean' }, accelerator: { type: 'string' } } });
  const result = await trainGan({
    ...(values.epochs === undefined ? {} : { maxEpochs: Number(values.epochs) }),
    full: values.full ?? false,
    ...(values.accelerator === undefined ? {} : { accelerator: values.accelerator as BackendName }),
  });
  console.log(`g_loss ${result.metrics.g_loss?.toFixed(3)}, d_loss ${result.metrics.d_loss?.toFixed(3)}; samples: ${result.pngs.at(-1) ?? 'none'}`);
}
