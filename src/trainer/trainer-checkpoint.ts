/** Building the checkpoint document of a run (Lightning's `dump_checkpoint`) and writing it atomically. */
import type { CheckpointDict } from '../core/hooks.js';
import type { TrainerContext } from '../core/trainer-context.js';
import type { CheckpointDocument, CheckpointRecord, CheckpointValue } from '../checkpoint/document.js';
import { saveCheckpoint } from '../checkpoint/checkpoint.js';
import { checkpointIO } from '../checkpoint/default-io.js';
import { getRngState } from '../utilities/seed.js';
import { VERSION } from '../version.js';
import type { TrainerRun } from './run.js';

function datamoduleOf(run: TrainerRun): { hparams?: Record<string, unknown>; stateDict?: () => Record<string, unknown> } | undefined {
  return run.datamodule as { hparams?: Record<string, unknown>; stateDict?: () => Record<string, unknown> } | undefined;
}

/** Everything needed to resume: weights, loops, optimizers, schedulers, callbacks, hyperparameters, RNG and data position. */
export async function dumpCheckpoint(trainer: TrainerContext, run: TrainerRun, weightsOnly: boolean): Promise<CheckpointDict> {
  const { module, progress, dispatcher } = run;
  const doc: CheckpointDocument = {
    epoch: trainer.currentEpoch,
    globalStep: trainer.globalStep,
    lightningTsVersion: VERSION,
    stateDict: module.stateDict(),
    loops: {
      fitLoop: {
        ...(progress.toJSON() as unknown as CheckpointRecord),
        // The epoch's partly reduced log() values, so a mid-epoch resume logs what an uninterrupted run logs.
        results: (trainer.training && run.connector.active !== undefined ? run.connector.active.toJSON() : null) as unknown as CheckpointValue,
      },
    },
  };
  if (!weightsOnly) {
    const callbacks: CheckpointRecord = {};
    for (const cb of dispatcher.callbacks) {
      const state = cb.stateDict?.();
      if (state !== undefined && Object.keys(state).length > 0) callbacks[cb.stateKey] = state as CheckpointValue;
    }
    doc.callbacks = callbacks;
    doc.optimizerStates = run.optimizers.map((o) => o.stateDict() as unknown as CheckpointValue);
    doc.lrSchedulers = run.lrSchedulerConfigs.map((c) => c.scheduler.stateDict() as CheckpointValue);
    doc.rng = getRngState() as unknown as CheckpointRecord;
    const loaders = run.trainLoader?.stateDict?.();
    if (loaders !== undefined) doc.dataloaders = loaders as CheckpointValue;
  }
  if (Object.keys(module.hparams).length > 0) doc.hyperParameters = { ...module.hparams } as CheckpointRecord;
  const dm = datamoduleOf(run);
  if (dm?.hparams !== undefined && Object.keys(dm.hparams).length > 0) doc.datamoduleHyperParameters = { ...dm.hparams } as CheckpointRecord;
  if (dm?.stateDict !== undefined) {
    const state = dm.stateDict();
    if (Object.keys(state).length > 0) doc.datamoduleState = state as CheckpointRecord;
  }
  if (!weightsOnly) await dispatcher.callCallbacks('onSaveCheckpoint', [doc]);
  await dispatcher.callModule('onSaveCheckpoint', doc);
  return doc;
}

/** Write a checkpoint document atomically. */
export async function writeCheckpoint(path: string, doc: CheckpointDict): Promise<void> {
  await saveCheckpoint(path, doc as CheckpointDocument, await checkpointIO());
}
