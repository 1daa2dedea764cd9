/**
 * Checkpoints as user files in a page: download one the Trainer saved (to IndexedDB or memory) as a `.ckpt` file, and
 * import a file the user picked (e.g. trained in Node) into the checkpoint storage. The bytes are not changed in
 * either direction, so a file moves between Node and a browser as is.
 */
import { MisconfigurationError } from '../errors.js';
import type { CheckpointIO } from './checkpoint-io.js';
import { checkpointIO } from './default-io.js';
import { disposeCheckpoint } from './document.js';
import { deserializeCheckpoint } from './serialize.js';

/** Options of `checkpointToBlob` / `downloadCheckpoint` / `importCheckpointFile`. */
export interface CheckpointFileOptions {
  /** Storage to read from or write to. Default: the current checkpoint IO (`checkpointIO()`). */
  io?: CheckpointIO;
}

/** The checkpoint at `path` as a `Blob` (`application/octet-stream`), ready for a download link or an upload. */
export async function checkpointToBlob(path: string, options: CheckpointFileOptions = {}): Promise<Blob> {
  const bytes = await (options.io ?? (await checkpointIO())).load(path);
  return new Blob([bytes.slice()], { type: 'application/octet-stream' });
}

interface DownloadDocument {
  createElement(tag: 'a'): { href: string; download: string; click(): void };
}

/** Make the browser download the checkpoint at `path` (file name: `filename`, default the path's last part). */
export async function downloadCheckpoint(path: string, options: CheckpointFileOptions & { filename?: string } = {}): Promise<void> {
  const doc = (globalThis as { document?: DownloadDocument }).document;
  if (doc === undefined) {
    throw new MisconfigurationError('downloadCheckpoint needs a page (there is no document here).', 'In Node the checkpoint already is a file: copy it, or read it with checkpointIO().load(path).');
  }
  const url = URL.createObjectURL(await checkpointToBlob(path, options));
  try {
    const link = doc.createElement('a');
    link.href = url;
    link.download = options.filename ?? path.split('/').pop() ?? 'model.ckpt';
    link.click();
  } finally {
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

/**
 * Store a user's checkpoint file (a `File` from `<input type="file">`, or any Blob) at `path` after checking that it
 * is a lightning-ts checkpoint; then `Model.loadFromCheckpoint(path)` or `trainer.fit(model, { ckptPath: path })`.
 */
export async function importCheckpointFile(file: Blob, path: string, options: CheckpointFileOptions = {}): Promise<void> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  // Validates the safetensors layout and the JSON document; throws CorruptFileError with a hint otherwise.
  disposeCheckpoint(deserializeCheckpoint(bytes));
  await (options.io ?? (await checkpointIO())).save(path, bytes);
}
