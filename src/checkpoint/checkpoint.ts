/** Saving and loading checkpoints and weights files through a `CheckpointIO`. */
import type { Tensor } from '../runtime/tf.js';
import type { CheckpointIO, CheckpointLoadOptions } from './checkpoint-io.js';
import type { CheckpointDocument } from './document.js';
import type { SafetensorsLimits } from './safetensors.js';
import { deserializeCheckpoint, readStateDict, serializeCheckpoint, serializeStateDict } from './serialize.js';
import type { DeserializeOptions } from './serialize.js';

/** Options of `loadCheckpoint`. */
export interface LoadCheckpointOptions extends DeserializeOptions, CheckpointLoadOptions {}

/** Serialize `document` and write it to `path` atomically. */
export async function saveCheckpoint(path: string, document: CheckpointDocument, io: CheckpointIO): Promise<void> {
  await io.save(path, await serializeCheckpoint(document));
}

/** Read and validate the checkpoint at `path`; the caller owns its tensors (see `disposeCheckpoint`). */
export async function loadCheckpoint(path: string, io: CheckpointIO, options: LoadCheckpointOptions = {}): Promise<CheckpointDocument> {
  const bytes = await io.load(path, options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {});
  return deserializeCheckpoint(bytes, options);
}

/** Write a state dict as a plain safetensors weights file (opens with `safetensors.torch.load_file`). */
export async function saveStateDictFile(path: string, stateDict: Record<string, Tensor>, io: CheckpointIO): Promise<void> {
  await io.save(path, await serializeStateDict(stateDict));
}

/**
 * Read the weights of a safetensors file (a PyTorch `save_file` output or a lightning-ts checkpoint) as a state
 * dict for `module.loadStateDict`; the caller owns the tensors.
 */
export async function loadStateDictFile(
  path: string,
  io: CheckpointIO,
  options: CheckpointLoadOptions & { limits?: SafetensorsLimits } = {},
): Promise<Record<string, Tensor>> {
  const bytes = await io.load(path, options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {});
  return readStateDict(bytes, options.limits !== undefined ? { limits: options.limits } : {});
}
