/** `MemoryCheckpointIO`: checkpoints kept in a `Map` (tests, browsers without IndexedDB, throw-away runs). */
import { MisconfigurationError } from '../errors.js';
import type { CheckpointIO } from './checkpoint-io.js';

/** Normalise a checkpoint path: `/` separators, no `./` segments, no repeated or trailing slashes. */
export function normalizeCheckpointPath(path: string): string {
  const parts = path.replace(/\\/g, '/').split('/').filter((p) => p !== '' && p !== '.');
  return (path.startsWith('/') ? '/' : '') + parts.join('/');
}

/** Names of the keys directly inside `directory` (keys are normalised paths). */
export function namesInDirectory(keys: Iterable<string>, directory: string): string[] {
  const dir = normalizeCheckpointPath(directory);
  const prefix = dir === '' ? '' : dir === '/' ? '/' : `${dir}/`;
  const names: string[] = [];
  for (const key of keys) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    if (rest !== '' && !rest.includes('/')) names.push(rest);
  }
  return names.sort();
}

/** The error thrown when a checkpoint path holds nothing. */
export function checkpointNotFound(path: string, where: string): MisconfigurationError {
  return new MisconfigurationError(`Checkpoint file not found in ${where}: ${path}.`, 'Save it first (trainer.saveCheckpoint or ModelCheckpoint), or check the path.');
}

/** Checkpoint storage in memory; each save replaces the whole entry, so it is atomic. */
export class MemoryCheckpointIO implements CheckpointIO {
  private readonly files = new Map<string, Uint8Array>();

  /** Store a copy of `bytes` under `path`. */
  save(path: string, bytes: Uint8Array): Promise<void> {
    this.files.set(normalizeCheckpointPath(path), bytes.slice());
    return Promise.resolve();
  }

  /** A copy of the bytes at `path`. */
  load(path: string): Promise<Uint8Array> {
    const bytes = this.files.get(normalizeCheckpointPath(path));
    return bytes === undefined ? Promise.reject(checkpointNotFound(path, 'memory')) : Promise.resolve(bytes.slice());
  }

  /** Whether `path` holds a checkpoint. */
  exists(path: string): Promise<boolean> {
    return Promise.resolve(this.files.has(normalizeCheckpointPath(path)));
  }

  /** Forget `path`. */
  remove(path: string): Promise<void> {
    this.files.delete(normalizeCheckpointPath(path));
    return Promise.resolve();
  }

  /** Names directly inside `directory`, sorted. */
  list(directory: string): Promise<string[]> {
    return Promise.resolve(namesInDirectory(this.files.keys(), directory));
  }

  /** Memory has no links: `linkPath` gets a copy of `target`. */
  async link(target: string, linkPath: string): Promise<void> {
    await this.save(linkPath, await this.load(target));
  }
}
