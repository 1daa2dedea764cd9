/**
 * `BasePredictionWriter`: write predictions as they are made (per batch) or once per prediction epoch, instead of
 * holding them in memory; `JsonlPredictionWriter` writes them as JSON lines through a `LogFileSystem`.
 */
import type { Awaitable } from '../core/hooks.js';
import type { LightningModule } from '../core/module.js';
import type { TrainerContext } from '../core/trainer-context.js';
import { MisconfigurationError } from '../errors.js';
import type { LogFileSystem } from '../loggers/file-system.js';
import { joinPath } from '../loggers/file-system.js';
import { platform } from '../platform/platform.js';
import { tf } from '../runtime/tf.js';
import { Callback } from './callback.js';

/** When predictions are written. */
export type WriteInterval = 'batch' | 'epoch' | 'batch_and_epoch';

/** One prediction as kept for `writeOnEpochEnd`: tensors converted to nested arrays. */
export interface WrittenPrediction {
  batchIdx: number;
  dataloaderIdx: number;
  prediction: unknown;
}

/** Tensors (at any nesting in arrays and plain objects) to nested number arrays; other values as they are. */
export function toPlain(value: unknown, depth = 0): unknown {
  if (value instanceof tf.Tensor) return value.arraySync();
  if (depth > 16 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => toPlain(v, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v, depth + 1)]));
}

/**
 * Subclass it and implement `writeOnBatchEnd` (interval "batch"), `writeOnEpochEnd` ("epoch"), or both.
 * Batch writes receive the live prediction (tensors still valid during the call); epoch writes receive every
 * prediction of the epoch converted to plain arrays, so no tensor is held between batches.
 */
export abstract class BasePredictionWriter extends Callback {
  readonly writeInterval: WriteInterval;
  private collected: WrittenPrediction[] = [];

  constructor(writeInterval: WriteInterval = 'batch') {
    super();
    if (writeInterval !== 'batch' && writeInterval !== 'epoch' && writeInterval !== 'batch_and_epoch') {
      throw new MisconfigurationError(`writeInterval must be "batch", "epoch" or "batch_and_epoch"; received ${JSON.stringify(writeInterval)}.`, 'Use writeInterval: "batch" to write as predictions come.');
    }
    this.writeInterval = writeInterval;
  }

  /** Write one batch's prediction. */
  writeOnBatchEnd?(trainer: TrainerContext, module: LightningModule, prediction: unknown, batch: unknown, batchIdx: number, dataloaderIdx: number): Awaitable<void>;

  /** Write every prediction of the epoch (plain arrays, in order). */
  writeOnEpochEnd?(trainer: TrainerContext, module: LightningModule, predictions: WrittenPrediction[]): Awaitable<void>;

  private get onBatch(): boolean {
    return this.writeInterval !== 'epoch';
  }

  private get onEpoch(): boolean {
    return this.writeInterval !== 'batch';
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async so subclasses can await their own setup
  override async setup(_trainer: TrainerContext, _module: LightningModule, stage: string): Promise<void> {
    if (stage !== 'predict') return;
    const name = this.constructor.name;
    if (this.onBatch && this.writeOnBatchEnd === undefined) {
      throw new MisconfigurationError(`${name} has writeInterval "${this.writeInterval}" but no writeOnBatchEnd.`, 'Implement writeOnBatchEnd(trainer, module, prediction, batch, batchIdx, dataloaderIdx), or use writeInterval: "epoch".');
    }
    if (this.onEpoch && this.writeOnEpochEnd === undefined) {
      throw new MisconfigurationError(`${name} has writeInterval "${this.writeInterval}" but no writeOnEpochEnd.`, 'Implement writeOnEpochEnd(trainer, module, predictions), or use writeInterval: "batch".');
    }
  }

  override onPredictEpochStart(): void {
    this.collected = [];
  }

  override async onPredictBatchEnd(trainer: TrainerContext, module: LightningModule, outputs: unknown, batch: unknown, batchIdx: number, dataloaderIdx: number): Promise<void> {
    if (!trainer.isGlobalZero) return;
    if (this.onBatch) await this.writeOnBatchEnd?.(trainer, module, outputs, batch, batchIdx, dataloaderIdx);
    if (this.onEpoch) this.collected.push({ batchIdx, dataloaderIdx, prediction: toPlain(outputs) });
  }

  override async onPredictEpochEnd(trainer: TrainerContext, module: LightningModule): Promise<void> {
    if (!this.onEpoch || !trainer.isGlobalZero) return;
    const predictions = this.collected;
    this.collected = [];
    await this.writeOnEpochEnd?.(trainer, module, predictions);
  }
}

/** Options of `JsonlPredictionWriter`. */
export interface JsonlPredictionWriterOptions {
  /** Directory of the output files (created when missing). */
  outputDir: string;
  /** When to write. Default: "batch". */
  writeInterval?: WriteInterval;
  /** File-system to write through. Default: Node's file system (loaded lazily). */
  fileSystem?: LogFileSystem;
}

/**
 * Writes predictions as JSON lines `{"batchIdx", "dataloaderIdx", "prediction"}`: per batch to
 * `predictions.jsonl` (appended as they come), per epoch to `predictions_epoch.jsonl` (written at the end).
 */
export class JsonlPredictionWriter extends BasePredictionWriter {
  readonly outputDir: string;
  private fs: LogFileSystem | undefined;

  constructor(options: JsonlPredictionWriterOptions) {
    super(options.writeInterval ?? 'batch');
    this.outputDir = options.outputDir;
    this.fs = options.fileSystem;
  }

  /** Path of the per-batch file. */
  get batchFile(): string {
    return joinPath(this.outputDir, 'predictions.jsonl');
  }

  /** Path of the per-epoch file. */
  get epochFile(): string {
    return joinPath(this.outputDir, 'predictions_epoch.jsonl');
  }

  override async setup(trainer: TrainerContext, module: LightningModule, stage: string): Promise<void> {
    await super.setup(trainer, module, stage);
    if (stage !== 'predict') return;
    this.fs ??= platform.logFileSystem;
    this.fs.mkdir(this.outputDir);
    if (this.writeInterval !== 'epoch') this.fs.writeFile(this.batchFile, '');
  }

  override writeOnBatchEnd(_t: TrainerContext, _m: LightningModule, prediction: unknown, _batch: unknown, batchIdx: number, dataloaderIdx: number): void {
    this.fs?.appendFile(this.batchFile, `${JSON.stringify({ batchIdx, dataloaderIdx, prediction: toPlain(prediction) })}\n`);
  }

  override writeOnEpochEnd(_t: TrainerContext, _m: LightningModule, predictions: WrittenPrediction[]): void {
    this.fs?.writeFile(this.epochFile, predictions.map((p) => `${JSON.stringify(p)}\n`).join(''));
  }
}
