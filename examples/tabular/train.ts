// Train an MLP on a CSV file: by default iris species (classification); `--target petal_width` makes it a regression.
//   npx tsx examples/tabular/train.ts [--csv path.csv] [--target species] [--epochs 30]
import { parseArgs } from 'node:util';
import { CSVLogger, EarlyStopping, Trainer, seedEverything } from '../../src/index.js';
import type { BackendName } from '../../src/index.js';
import { CsvDataModule } from './datamodule.js';
import { TabularModel } from './model.js';

/** Options of `trainTabular`. */
export interface TrainTabularOptions {
  /** CSV file. Default: the shipped iris.csv. */
  csv?: string;
  /** Column to predict. Default: "species". */
  target?: string;
  /** Epochs (early stopping on val_loss may end sooner). Default: 30. */
  maxEpochs?: number;
  /** Training batches per epoch (fraction or count). Default: all. */
  limitTrainBatches?: number;
  /** Where logs and checkpoints go. Default: "lightning_logs". */
  rootDir?: string;
  /** Backend. Default: "auto". */
  accelerator?: BackendName;
  /** Show the progress bar. Default: true. */
  enableProgressBar?: boolean;
}

/** What `trainTabular` returns. */
export interface TabularResult {
  model: TabularModel;
  task: 'classification' | 'regression';
  /** The metrics of the last validation. */
  metrics: Record<string, number>;
  /** `train_loss_epoch` of every epoch. */
  epochLosses: number[];
}

/** Fit the MLP on the CSV file and return it with its metrics. */
export async function trainTabular(options: TrainTabularOptions = {}): Promise<TabularResult> {
  seedEverything(42);
  const datamodule = new CsvDataModule({ ...(options.csv === undefined ? {} : { path: options.csv }), target: options.target ?? 'species' });
  await datamodule.setup('fit'); // the model's size depends on the data: read it first
  const model = new TabularModel({ numFeatures: datamodule.numFeatures, numClasses: datamodule.numClasses });
  const epochLosses: number[] = [];
  const trainer = new Trainer({
    maxEpochs: options.maxEpochs ?? 30,
    accelerator: options.accelerator ?? 'auto',
    logger: new CSVLogger({ saveDir: options.rootDir ?? 'lightning_logs', name: 'tabular' }),
    callbacks: [new EarlyStopping({ monitor: 'val_loss', patience: 5 })],
    enableProgressBar: options.enableProgressBar ?? true,
    enableModelSummary: false,
    ...(options.limitTrainBatches === undefined ? {} : { limitTrainBatches: options.limitTrainBatches }),
  });
  model.onTrainEpochEnd = () => {
    const loss = trainer.callbackMetrics.train_loss_epoch;
    if (loss !== undefined) epochLosses.push(loss);
  };
  await trainer.fit(model, { datamodule });
  return { model, task: model.isClassifier ? 'classification' : 'regression', metrics: { ...trainer.callbackMetrics }, epochLosses };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { csv: { type: 'string' }, target: { type: 'string' }, epochs: { type: 'string' }, accelerator: { type: 'string' } } });
  const result = await trainTabular({
    ...(values.csv === undefined ? {} : { csv: values.csv }),
    ...(values.target === undefined ? {} : { target: values.target }),
    ...(values.epochs === undefined ? {} : { maxEpochs: Number(values.epochs) }),
    ...(values.accelerator === undefined ? {} : { accelerator: values.accelerator as BackendName }),
  });
  const { val_acc: acc, val_mae: mae, val_loss: loss } = result.metrics;
  console.log(`${result.task}: val_loss ${loss?.toFixed(4)}${acc === undefined ? '' : `, val_acc ${acc.toFixed(3)}`}${mae === undefined ? '' : `, val_mae ${mae.toFixed(3)}`}`);
}
