/**
 * `NodeCheckpointIO`: checkpoints on the local file system. A save writes a temporary file next to the target,
 * fsyncs it, renames it over the target and fsyncs the directory, so a crash at any moment leaves either the old
 * file or the new one.
 */
import { randomBytes } from 'node:crypto';
import { constants as bufferConstants } from 'node:buffer';
import { mkdir, open, readdir, rename, stat, symlink, unlink } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { CorruptFileError, MisconfigurationError } from '../errors.js';
import type { CheckpointIO, CheckpointLoadOptions } from './checkpoint-io.js';

const DEFAULT_MAX_BYTES = Math.min(16 * 1024 ** 3, bufferConstants.MAX_LENGTH);
const TEMP_PATTERN = /\.tmp-(\d+)-[0-9a-f]{12}$/;

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** The temporary name a save of `path` writes first (same directory, so the rename is atomic). */
function tempPathFor(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
}

/** fsync a directory so a rename inside it survives a power loss (not possible on Windows; skipped there). */
async function syncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch (error) {
    if (!['EISDIR', 'EPERM', 'EACCES', 'EINVAL'].includes(errorCode(error) ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}

async function removeQuietly(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

/** Checkpoint storage on the local file system with atomic writes. */
export class NodeCheckpointIO implements CheckpointIO {
  /** Write `bytes` to `path` atomically (temporary file, fsync, rename, directory fsync). */
  async save(path: string, bytes: Uint8Array): Promise<void> {
    const directory = dirname(path);
    await mkdir(directory, { recursive: true });
    const temp = tempPathFor(path);
    try {
      const handle = await open(temp, 'wx', 0o644);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, path);
    } catch (error) {
      await removeQuietly(temp);
      throw error;
    }
    await syncDirectory(directory);
  }

  /** Read the file at `path` in one allocation of its size; refuses non-files and files over `maxBytes`. */
  async load(path: string, options: CheckpointLoadOptions = {}): Promise<Uint8Array> {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') {
        throw new MisconfigurationError(`Checkpoint file not found: ${path}.`, 'Check the path (and the working directory).', { cause: error });
      }
      throw error;
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new CorruptFileError(`${path} is not a regular file.`, 'Pass the path of a .ckpt or .safetensors file.');
      if (info.size > maxBytes) {
        throw new CorruptFileError(
          `${path} has ${info.size} bytes, more than the limit of ${maxBytes}.`,
          'Pass a larger maxBytes if you trust this file.',
        );
      }
      const bytes = new Uint8Array(info.size);
      let filled = 0;
      while (filled < bytes.length) {
        const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      if (filled !== bytes.length) {
        throw new CorruptFileError(`${path} shrank while it was read (${filled} of ${bytes.length} bytes).`, 'Another process truncated it; read it again.');
      }
      return bytes;
    } finally {
      await handle.close();
    }
  }

  /** Whether a file (or a link to one) exists at `path`. */
  async exists(path: string): Promise<boolean> {
    try {
      await stat(path);
      return true;
    } catch {
      return false;
    }
  }

  /** Delete `path`; no error if it is already gone. */
  async remove(path: string): Promise<void> {
    try {
      await unlink(path);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
    }
  }

  /** File names inside `directory`, sorted, without in-progress temporary files. */
  async list(directory: string): Promise<string[]> {
    try {
      return (await readdir(directory)).filter((name) => !TEMP_PATTERN.test(name)).sort();
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return [];
      throw error;
    }
  }

  /** Point `linkPath` at `target` with a relative symlink (a copy where symlinks are not allowed), atomically. */
  async link(target: string, linkPath: string): Promise<void> {
    const directory = dirname(linkPath);
    await mkdir(directory, { recursive: true });
    const temp = tempPathFor(linkPath);
    try {
      await symlink(relative(directory, target) || basename(target), temp);
      await rename(temp, linkPath);
    } catch (error) {
      await removeQuietly(temp);
      if (errorCode(error) !== 'EPERM') throw error;
      await this.save(linkPath, await this.load(target));
      return;
    }
    await syncDirectory(directory);
  }
}

/**
 * Delete temporary files that crashed saves left in `directory` (those whose writing process is gone).
 * Returns the names removed.
 */
export async function removeStaleTempFiles(directory: string): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return removed;
    throw error;
  }
  for (const name of names) {
    const pid = TEMP_PATTERN.exec(name)?.[1];
    if (pid === undefined || isAlive(Number(pid))) continue;
    await removeQuietly(join(directory, name));
    removed.push(name);
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}
