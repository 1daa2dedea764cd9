/** The process-wide checkpoint storage: the Node file system unless `setCheckpointIO` chose another. */
import type { CheckpointIO } from './checkpoint-io.js';

let defaultIO: CheckpointIO | undefined;

/** The checkpoint IO in use (loads the Node implementation lazily, so browser bundles never import `node:fs`). */
export async function checkpointIO(): Promise<CheckpointIO> {
  if (defaultIO === undefined) {
    const { NodeCheckpointIO } = await import('./node-checkpoint-io.js');
    defaultIO = new NodeCheckpointIO();
  }
  return defaultIO;
}

/** Store checkpoints elsewhere (browser storage, object stores, tests). */
export function setCheckpointIO(io: CheckpointIO): void {
  defaultIO = io;
}
