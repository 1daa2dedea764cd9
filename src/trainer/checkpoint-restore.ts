/**
 * Resuming from a checkpoint in Lightning's order: module (`onLoadCheckpoint`, weights), datamodule, callbacks;
 * later the training state (loop counters, optimizers, schedulers, RNG, dataloader position).
 */
import { LightningError, MisconfigurationError } from '../errors.js';
import { loadCheckpoint } from '../checkpoint/checkpoint.js';
import { checkpointIO } from '../checkpoint/default-io.js';
import type { CheckpointDocument } from '../checkpoint/document.js';
import type { CallbackLike, CheckpointDict } from '../core/hooks.js';
import type { OptimizerStateDict } from '../optim/optimizer.js';
import { setRngState } from '../utilities/seed.js';
import type { RngState } from '../utilities/seed.js';
import { warn } from '../utilities/warnings.js';
import { FitProgress } from './loops/progress.js';
import type { FitProgressState } from './loops/progress.js';
import type { TrainerRun } from './run.js';
import { ResultCollection } from './results.js';

interface CheckpointCallbackLike extends CallbackLike {
  readonly dirpath?: string | undefined;
  readonly bestModelPath?: string;
  readonly lastModelPath?: string;
}

function checkpointCallbacks(callbacks: readonly CallbackLike[]): CheckpointCallbackLike[] {
  return callbacks.filter((cb) => cb.kind === 'checkpoint');
}

/** Resolve `"best"`, `"last"` or a path; undefined means start fresh (with a warning for a missing "last"). */
export async function resolveCkptPath(run: TrainerRun, ckptPath: string | undefined): Promise<string | undefined> {
  if (ckptPath === undefined) return undefined;
  const callbacks = checkpointCallbacks(run.dispatcher.callbacks);
  const io = await checkpointIO();
  if (ckptPath === 'best') {
    const best = callbacks.find((cb) => (cb.bestModelPath ?? '') !== '')?.bestModelPath;
    if (best === undefined) {
      throw new MisconfigurationError(
        'ckptPath: "best" was requested, but no ModelCheckpoint has saved a best checkpoint.',
        'Add a ModelCheckpoint with a monitor and fit first, or pass a file path.',
      );
    }
    return best;
  }
  if (ckptPath === 'last') {
    let newest: string | undefined;
    for (const cb of callbacks) {
      if (cb.lastModelPath !== undefined && cb.lastModelPath !== '' && (await io.exists(cb.lastModelPath))) newest = cb.lastModelPath;
      if (newest === undefined && cb.dirpath !== undefined) {
        const names = (await io.list(cb.dirpath)).filter((n) => n.startsWith('last') && n.endsWith('.ckpt')).sort();
        const found = names[names.length - 1];
        if (found !== undefined) newest = `${cb.dirpath}/${found}`;
      }
    }
    if (newest === undefined) warn('LT1701', 'ckptPath: "last" found no last checkpoint; training starts from scratch.');
    return newest;
  }
  if (!(await io.exists(ckptPath))) {
    throw new LightningError(`Checkpoint file not found: ${ckptPath}.`, 'Check the path, or use ckptPath: "last" / "best".');
  }
  return ckptPath;
}

/** Load and validate a checkpoint document (the caller disposes its tensors). */
export async function readCheckpoint(path: string): Promise<CheckpointDocument> {
  return await loadCheckpoint(path, await checkpointIO());
}

/** Module (`onLoadCheckpoint` first, then weights), datamodule state and callbacks, in Lightning's order. */
export async function restoreModulesAndCallbacks(run: TrainerRun, doc: CheckpointDocument): Promise<void> {
  const { module, dispatcher, datamodule } = run;
  await dispatcher.callModule('onLoadCheckpoint', doc);
  module.loadStateDict(doc.stateDict, { strict: module.strictLoading });
  const dm = datamodule as { loadStateDict?: (s: Record<string, unknown>) => void } | undefined;
  if (doc.datamoduleState !== undefined) dm?.loadStateDict?.(doc.datamoduleState);
  await dispatcher.callCallbacks('onLoadCheckpoint', [doc as CheckpointDict]);
  const states = (doc.callbacks ?? {}) as Record<string, Record<string, unknown> | undefined>;
  for (const cb of dispatcher.callbacks) {
    const state = states[cb.stateKey];
    if (state !== undefined) cb.loadStateDict?.(state);
  }
}

/** How the fit loop continues after a restore. */
export interface RestartInfo {
  /** The checkpoint was written inside an epoch: continue it without `onTrainEpochStart`. */
  midEpoch: boolean;
  /** The training dataloader's saved position. */
  dataloaderState: unknown;
  /** The interrupted epoch's logged values. */
  results: ResultCollection | undefined;
  /** Set when the checkpoint was written in the epoch-end hooks: the loop finishes that epoch first. */
  afterEpochEnd: boolean;
  /** Set when the checkpoint was written in `onTrainBatchEnd`: the loop finishes that batch first. */
  afterBatchEnd: { batchIdx: number; isLast: boolean } | undefined;
}

/** Loop counters, optimizers, schedulers and RNG; returns how the fit loop should continue. */
export function restoreTrainingState(run: TrainerRun, doc: CheckpointDocument): RestartInfo {
  const saved = (doc.loops as { fitLoop?: FitProgressState } | undefined)?.fitLoop;
  let afterBatchEnd: RestartInfo['afterBatchEnd'];
  let afterEpochEnd = false;
  if (saved !== undefined) {
    const p = FitProgress.fromJSON(saved);
    const epochEnded = p.epoch.current.processed > p.epoch.current.completed;
    if (epochEnded) {
      // Saved during the epoch-end hooks: the fit loop finishes that epoch (epoch metrics, counters) first.
      afterEpochEnd = true;
    } else {
      if (p.batch.current.processed > p.batch.current.completed) {
        // Saved in onTrainBatchEnd: the batch's step is done; the loop finishes it (logging, validation, counters).
        afterBatchEnd = { batchIdx: p.batch.current.processed - 1, isLast: p.isLastBatch };
        p.batch.total.ready = p.batch.total.started = p.batch.total.processed;
        p.batch.current.ready = p.batch.current.started = p.batch.current.processed;
      } else {
        p.batch.resetOnRestart();
      }
    }
    Object.assign(run.progress, p);
    if (run.options.maxEpochs !== -1 && run.progress.epoch.current.processed > run.options.maxEpochs) {
      throw new MisconfigurationError(
        `The checkpoint is at epoch ${run.progress.epoch.current.completed}, beyond maxEpochs: ${run.options.maxEpochs}.`,
        'Raise maxEpochs to continue training from this checkpoint.',
      );
    }
  }
  const optimizerStates = doc.optimizerStates;
  if (optimizerStates === undefined) {
    throw new MisconfigurationError(
      'The checkpoint has no optimizer state (it was saved with weightsOnly), so training cannot resume from it.',
      'Load the weights with module.loadStateDict / loadFromCheckpoint and fit without ckptPath, or resume from a full checkpoint.',
    );
  }
  run.optimizers.forEach((o, i) => {
    const s = optimizerStates[i];
    if (s !== undefined) o.loadStateDict(s as unknown as OptimizerStateDict);
  });
  run.lrSchedulerConfigs.forEach((c, i) => {
    const s = doc.lrSchedulers?.[i];
    if (s !== undefined) c.scheduler.loadStateDict(s as Record<string, unknown>);
  });
  if (doc.rng !== undefined) setRngState(doc.rng as unknown as RngState);
  const p = run.progress;
  const midEpoch = p.epoch.current.started > p.epoch.current.processed && p.batch.current.processed > 0;
  const savedResults = (doc.loops as { fitLoop?: { results?: Parameters<typeof ResultCollection.fromJSON>[0] | null } } | undefined)?.fitLoop?.results;
  const results = (midEpoch || afterEpochEnd) && savedResults !== undefined && savedResults !== null ? ResultCollection.fromJSON(savedResults) : undefined;
  return { midEpoch, afterEpochEnd, dataloaderState: doc.dataloaders, results, afterBatchEnd: midEpoch ? afterBatchEnd : undefined };
}
