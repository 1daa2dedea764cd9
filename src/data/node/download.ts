/** Downloading a file once into a cache directory, verified by checksum and written atomically. */
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CorruptFileError, LightningError } from '../../errors.js';

/** A download that failed (network or HTTP status). */
export class DownloadError extends LightningError {}

/** What to fetch and how to check it. */
export interface DownloadRequest {
  /** Full URL of the file. */
  url: string;
  /** Expected MD5 (hex) of the downloaded bytes. */
  md5: string;
  /** Directory the file is stored in (created if needed). */
  directory: string;
  /** File name inside `directory`. */
  fileName: string;
}

/** MD5 of some bytes, as hex. */
export function md5Hex(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

/** Fetch `url`, check its MD5 and write it to `directory/fileName` via a temporary file; returns the path. */
export async function downloadVerified(request: DownloadRequest): Promise<string> {
  let bytes: Uint8Array;
  try {
    const response = await fetch(request.url);
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new DownloadError(`Could not download ${request.url}: ${why}.`, 'Check the network connection, or copy the files into the root directory by hand.', { cause });
  }
  const actual = md5Hex(bytes);
  if (actual !== request.md5.toLowerCase()) {
    throw new CorruptFileError(
      `The download of ${request.url} has MD5 ${actual}, expected ${request.md5}; it was not saved.`,
      'The mirror may serve a different or damaged file: retry, or pass another mirror.',
    );
  }
  await mkdir(request.directory, { recursive: true });
  const target = join(request.directory, request.fileName);
  const tmp = `${target}.${process.pid}.part`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, target);
  } finally {
    await rm(tmp, { force: true });
  }
  return target;
}
