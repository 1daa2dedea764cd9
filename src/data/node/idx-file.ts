/** Reading IDX files from disk, gzip-compressed or raw (detected by content, not by name). */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { CorruptFileError } from '../../errors.js';
import { parseIdx } from '../idx.js';
import type { IdxArray } from '../idx.js';

/** Largest decompressed IDX file accepted (guards against gzip bombs). */
const MAX_DECOMPRESSED_BYTES = 1 << 30;

/** Decompress `bytes` if they are gzip, with a size limit; errors name `source`. */
export function maybeGunzip(bytes: Uint8Array, source: string): Uint8Array {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: MAX_DECOMPRESSED_BYTES });
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new CorruptFileError(
      `${source} is a damaged gzip file (${why}).`,
      'Delete it and download it again, or reinstall it with `apt-get install --reinstall dataset-fashion-mnist`.',
      { cause },
    );
  }
}

/** Read and decode an IDX file (`.gz` or raw). */
export async function readIdxFile(path: string): Promise<IdxArray> {
  const bytes = new Uint8Array(await readFile(path));
  return parseIdx(maybeGunzip(bytes, path), path);
}
