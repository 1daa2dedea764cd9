// Train the CNN variant of LitMNIST on Fashion-MNIST (the same DataModule), then test the best checkpoint.
//   npx tsx examples/fashion-mnist-cnn/train.ts [--epochs 3] [--full] [--accelerator wasm]
import { parseArgs } from 'node:util';
import { CSVLogger, ModelCheckpoint, Trainer, seedEverything } from '../../src/index.js';
import type { BackendName } from '../../src/index.js';
import { FashionMNISTDataModule } from '../fashion-mnist/datamodule.js';
import { LitMNISTCNN } from './lit-cnn.js';

/** Options of `trainFashionMnistCnn`. */
export interface TrainCnnOptions {
  /** Epochs. Default: 3. */
  maxEpochs?: number;
  /** Training batches per epoch (fraction or count). Default: all. */
  limitTrainBatches?: number;
  /** Validation and test batches (fraction or count). Default: all. */
  limitEvalBatches?: number;
  /** Where logs and checkpoints go. Default: "lightning_logs". */
  rootDir?: string;
  /** Backend. Default: "auto". */
  accelerator?: BackendName;
  /** Use the full Fashion-MNIST instead of the shipped sample. Default: false. */
  full?: boolean;
  /** Show the progress bar. Default: true. */
  enableProgressBar?: boolean;
}

/** Fit, then test the best checkpoint (by val_acc); returns the test metrics and the checkpoint path. */
export async function trainFashionMnistCnn(options: TrainCnnOptions = {}): Promise<{ model: LitMNISTCNN; test: Record<string, number>; bestPath: string }> {
  seedEverything(42);
  const checkpoint = new ModelCheckpoint({ monitor: 'val_acc', mode: 'max', filename: '{epoch}-{val_acc:.4f}' });
  const limit = options.limitEvalBatches;
  const trainer = new Trainer({
    maxEpochs: options.maxEpochs ?? 3,
    accelerator: options.accelerator ?? 'auto',
    logger: new CSVLogger({ saveDir: options.rootDir ?? 'lightning_logs', name: 'fashion-mnist-cnn' }),
    callbacks: [checkpoint],
    enableProgressBar: options.enableProgressBar ?? true,
    ...(options.limitTrainBatches === undefined ? {} : { limitTrainBatches: options.limitTrainBatches }),
    ...(limit === undefined ? {} : { limitValBatches: limit, limitTestBatches: limit }),
  });
  const model = new LitMNISTCNN();
  const datamodule = new FashionMNISTDataModule({ full: options.full ?? false, batchSize: 64 });
  await trainer.fit(model, { datamodule });
  const [test] = await trainer.test(model, { datamodule, ckptPath: 'best', verbose: options.enableProgressBar ?? true });
  return { model, test: test ?? {}, bestPath: checkpoint.bestModelPath };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { epochs: { type: 'string' }, full: { type: 'boolean' }, accelerator: { type: 'string' } } });
  const { test, bestPath } = await trainFashionMnistCnn({
    ...(values.epochs === undefined ? {} : { maxEpochs: Number(values.epochs) }),
    full: values.full ?? false,
    ...(values.accelerator === undefined ? {} : { accelerator: values.accelerator as BackendName }),
  });
  console.log(`test_acc ${test.test_acc?.toFixed(4)} (best checkpoint ${bestPath})`);
}
