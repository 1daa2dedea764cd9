// Train LitMNIST on Fashion-MNIST with checkpoints and CSV + TensorBoard logs, then test the best checkpoint.
//   npx tsx examples/fashion-mnist/train.ts [--epochs 5] [--full] [--accelerator wasm]
import { CSVLogger, ModelCheckpoint, TensorBoardLogger, Trainer, seedEverything } from '../../src/index.js';
import type { BackendName } from '../../src/index.js';
import { FashionMNISTDataModule } from './datamodule.js';
import { LitMNIST } from './lit-mnist.js';

/** Options of `trainFashionMnist`. */
export interface TrainFashionMnistOptions {
  epochs?: number;
  full?: boolean;
  accelerator?: BackendName;
  rootDir?: string;
  limitTrainBatches?: number;
  enableProgressBar?: boolean;
}

/** Fit, then test the best checkpoint; returns the test metrics and the best validation accuracy. */
export async function trainFashionMnist(options: TrainFashionMnistOptions = {}): Promise<{ test: Record<string, number>; bestValAcc: number | undefined; bestPath: string }> {
  seedEverything(42);
  const rootDir = options.rootDir ?? 'lightning_logs';
  const version = new CSVLogger({ saveDir: rootDir, name: 'fashion-mnist' }).version;
  const loggers = [
    new CSVLogger({ saveDir: rootDir, name: 'fashion-mnist', version }),
    new TensorBoardLogger({ saveDir: rootDir, name: 'fashion-mnist', version }),
  ];
  const checkpoint = new ModelCheckpoint({ monitor: 'val_acc', mode: 'max', filename: '{epoch}-{val_acc:.4f}', saveLast: true });
  const trainer = new Trainer({
    maxEpochs: options.epochs ?? 5,
    accelerator: options.accelerator ?? 'auto',
    logger: loggers,
    callbacks: [checkpoint],
    defaultRootDir: rootDir,
    ...(options.limitTrainBatches === undefined ? {} : { limitTrainBatches: options.limitTrainBatches }),
    ...(options.enableProgressBar === undefined ? {} : { enableProgressBar: options.enableProgressBar }),
  });
  const model = new LitMNIST();
  const datamodule = new FashionMNISTDataModule({ full: options.full ?? false });
  await trainer.fit(model, { datamodule });
  const [test] = await trainer.test(model, { datamodule, ckptPath: 'best' });
  return { test: test ?? {}, bestValAcc: checkpoint.bestModelScore, bestPath: checkpoint.bestModelPath };
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? 'true') : undefined;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = performance.now();
  const epochs = flag('epochs');
  const accelerator = flag('accelerator') as BackendName | undefined;
  const result = await trainFashionMnist({
    ...(epochs === undefined ? {} : { epochs: Number(epochs) }),
    full: flag('full') !== undefined,
    ...(accelerator === undefined ? {} : { accelerator }),
  });
  console.log(`best val_acc ${result.bestValAcc?.toFixed(4)} (${result.bestPath}); test_acc ${result.test.test_acc?.toFixed(4)}; ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
