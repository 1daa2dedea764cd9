/** The process-wide checkpoint storage: the platform's default (files in Node, IndexedDB in a browser) unless `setCheckpointIO` chose another. */
import { platform } from '../platform/platform.js';
import type { CheckpointIO } from './checkpoint-io.js';

let defaultIO: CheckpointIO | undefined;

/** The checkpoint IO in use (created on first use, so importing the core never opens files or databases). */
export async function checkpointIO(): Promise<CheckpointIO> {
  defaultIO ??= await platform.createCheckpointIO();
  return defaultIO;
}

/** Store checkpoints elsewhere (browser storage, object stores, tests). */
export function setCheckpointIO(io: CheckpointIO): void {
  defaultIO = io;
}
