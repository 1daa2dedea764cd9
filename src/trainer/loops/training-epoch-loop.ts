/** One training epoch: fetch, transfer, batch hooks, optimization, schedulers, logging and in-epoch validation. */
import type { BatchFetcher} from '../data-connector.js';
import { disposeTensors, transferBatch } from '../data-connector.js';
import type { RunContext } from '../run-context.js';
import { maybeYield } from '../../utilities/event-loop.js';
import { runAutomatic, runManual } from './optimization.js';
import { updateLrSchedulers } from './scheduling.js';

/** Runs the validation loop when called (the fit loop provides it). */
export type ValidationRunner = () => Promise<void>;

/** Whether training must stop now (max steps, or a stop request once minimums are met). */
export function isTrainingDone(run: RunContext, canStopEarly: () => boolean): boolean {
  const { maxSteps } = run.options;
  if (maxSteps !== -1 && run.progress.globalStep >= maxSteps) return true;
  return (run.trainer.shouldStop || run.interruptRequested) && canStopEarly();
}

/** The training epoch loop (Lightning's `_TrainingEpochLoop`). */
export class TrainingEpochLoop {
  constructor(
    private readonly runContext: RunContext,
    private readonly validate: ValidationRunner,
    private readonly canStopEarly: () => boolean,
    private readonly shouldRunValidation: () => boolean,
  ) {}

  private shouldAccumulate(batchIdx: number, isLast: boolean): boolean {
    const k = this.runContext.accumulationFactor();
    return (batchIdx + 1) % k !== 0 && !isLast;
  }

  private shouldCheckVal(batchIdx: number, isLast: boolean): boolean {
    const { options, progress, trainer } = this.runContext;
    if (!this.shouldRunValidation()) return false;
    const every = options.checkValEveryNEpochs;
    if (every !== null && (trainer.currentEpoch + 1) % every !== 0) return false;
    if (trainer.shouldStop && this.canStopEarly()) return true;
    const n = this.runContext.numTrainingBatches;
    // Values in (0, 1] are fractions of the epoch; whole numbers above 1 count batches.
    const v = options.valCheckInterval;
    const valCheckBatch = v > 1 ? v : Number.isFinite(n) ? Math.max(1, Math.floor(n * v)) : Number.POSITIVE_INFINITY;
    if (!Number.isFinite(valCheckBatch)) return isLast;
    const iteration = every === null ? progress.batch.total.ready - 1 : batchIdx;
    return (iteration + 1) % valCheckBatch === 0;
  }

  /** Run the epoch over `fetcher` (already positioned when resuming mid-epoch). */
  async run(fetcher: BatchFetcher<unknown>, resumeAfterBatchEnd?: { batchIdx: number; isLast: boolean }): Promise<void> {
    const run = this.runContext;
    const { dispatcher, connector, module, progress } = run;
    if (resumeAfterBatchEnd !== undefined) {
      // The checkpoint was written in onTrainBatchEnd: finish that batch as the interrupted run would have.
      const { batchIdx, isLast } = resumeAfterBatchEnd;
      if (await this.finishBatch(batchIdx, isLast, this.shouldAccumulate(batchIdx, isLast))) return;
    }
    while (!isTrainingDone(run, this.canStopEarly)) {
      const next = await fetcher.next();
      if (next === undefined) break;
      const batchIdx = progress.batch.current.ready;
      progress.isLastBatch = next.isLast;
      const batch = transferBatch(dispatcher, run.datamodule, next.batch, 0, run.device);
      connector.currentBatch = batch;
      progress.batch.increment('ready');
      await dispatcher.callCallbacks('onTrainBatchStart', [batch, batchIdx]);
      const response = await dispatcher.callModule('onTrainBatchStart', batch, batchIdx);
      if (response === -1) {
        progress.isLastBatch = true;
        updateLrSchedulers(run, 'epoch', false, batchIdx);
        if (fetcher.ownsBatches) disposeTensors(batch);
        break;
      }
      progress.batch.increment('started');
      const accumulating = this.shouldAccumulate(batchIdx, next.isLast);
      const output = module.automaticOptimization ? runAutomatic(run, batch, batchIdx, accumulating) : runManual(run, batch, batchIdx);
      progress.batch.increment('processed');
      if (!accumulating) updateLrSchedulers(run, 'step', false, batchIdx);
      if (next.isLast) updateLrSchedulers(run, 'epoch', false, batchIdx);
      await dispatcher.callCallbacks('onTrainBatchEnd', [output, batch, batchIdx]);
      await dispatcher.callModule('onTrainBatchEnd', output, batch, batchIdx);
      disposeTensors(output);
      if (fetcher.ownsBatches) disposeTensors(batch);
      for (const d of run.batchDisposables.splice(0)) d.dispose();
      await maybeYield();
      if (await this.finishBatch(batchIdx, next.isLast, accumulating)) break;
    }
  }

  /** After `onTrainBatchEnd`: step logging, validation, plateau schedulers, counters. Returns true at the epoch's end. */
  private async finishBatch(batchIdx: number, isLast: boolean, accumulating: boolean): Promise<boolean> {
    const run = this.runContext;
    const { dispatcher, connector, progress, options } = run;
    progress.batch.increment('completed');
    const shouldLog = (progress.batchesThatStepped + 1) % options.logEveryNSteps === 0 || run.trainer.shouldStop;
    connector.updateTrainStepMetrics(shouldLog);
    if (this.shouldCheckVal(batchIdx, isLast)) {
      if (!accumulating) await dispatcher.callModule('onValidationModelZeroGrad');
      await this.validate();
    }
    updateLrSchedulers(run, 'step', true, batchIdx);
    if (!accumulating) progress.batchesThatStepped += 1;
    return isLast;
  }
}
