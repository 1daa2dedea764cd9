/** `DeviceStatsMonitor`: logs process memory and TF.js tensor memory around training batches. */
import type { TrainerContext } from '../core/trainer-context.js';
import { MisconfigurationError } from '../errors.js';
import { tf } from '../runtime/tf.js';
import { processMemoryStats } from '../utilities/process-memory.js';
import type { MemoryStats } from '../utilities/process-memory.js';
import { Callback } from './callback.js';

/** Options of `DeviceStatsMonitor`. */
export interface DeviceStatsMonitorOptions {
  /** Host memory figures (bytes). Default: Node's `process.memoryUsage()` (nothing in browsers). */
  memoryProvider?: () => MemoryStats;
  /** Only log keys containing one of these strings. Default: every key. */
  filterKeys?: string[];
}

/** Logs `DeviceStatsMonitor.on_train_batch_start/<stat>` and `.../on_train_batch_end/<stat>` every `logEveryNSteps`. */
export class DeviceStatsMonitor extends Callback {
  private readonly provider: () => MemoryStats;
  private readonly filterKeys: string[] | undefined;

  constructor(options: DeviceStatsMonitorOptions = {}) {
    super();
    this.provider = options.memoryProvider ?? processMemoryStats;
    this.filterKeys = options.filterKeys;
  }

  /** The current figures: host memory plus `tf.memory()` (numTensors, numBytes, numDataBuffers). */
  stats(): MemoryStats {
    const m = tf.memory();
    const all: MemoryStats = { ...this.provider(), numTensors: m.numTensors, numBytes: m.numBytes, numDataBuffers: m.numDataBuffers };
    const keys = this.filterKeys;
    if (keys === undefined) return all;
    return Object.fromEntries(Object.entries(all).filter(([k]) => keys.some((f) => k.includes(f))));
  }

  override setup(trainer: TrainerContext, _module: unknown, stage: string): void {
    if (stage === 'fit' && trainer.loggers.length === 0) {
      throw new MisconfigurationError('DeviceStatsMonitor needs a logger, but the Trainer has none.', 'Pass logger: true (or a logger) to the Trainer, or remove the DeviceStatsMonitor.');
    }
  }

  private log(trainer: TrainerContext, hook: string, step: number): void {
    if ((step + 1) % trainer.settings.logEveryNSteps !== 0) return;
    const prefix = `DeviceStatsMonitor.${hook}`;
    const metrics = Object.fromEntries(Object.entries(this.stats()).map(([k, v]) => [`${prefix}/${k}`, v]));
    for (const logger of trainer.loggers) logger.logMetrics(metrics, trainer.globalStep);
  }

  override onTrainBatchStart(trainer: TrainerContext): void {
    this.log(trainer, 'on_train_batch_start', trainer.globalStep);
  }

  override onTrainBatchEnd(trainer: TrainerContext): void {
    this.log(trainer, 'on_train_batch_end', trainer.globalStep - 1);
  }
}
