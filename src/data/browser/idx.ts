/** IDX arrays (MNIST, Fashion-MNIST) from a URL or a `Blob`/`File`, gzip-compressed or raw, without Node built-ins. */
import { parseIdx } from '../idx.js';
import type { IdxArray } from '../idx.js';
import { blobName, fetchBytes, maybeGunzip, readBlobBytes } from './fetch-bytes.js';
import type { FetchOptions, GunzipOptions } from './fetch-bytes.js';

/** Options of `fetchIdx`. */
export interface FetchIdxOptions extends FetchOptions, GunzipOptions {}

/** Options of `readIdxBlob`. */
export interface ReadIdxBlobOptions extends GunzipOptions {
  /** Names the data in error messages. Default: the file name of a `File`, else "Blob (<size> bytes)". */
  source?: string;
}

/** Fetch an IDX file (`.gz` or raw, detected by content) and decode it. */
export async function fetchIdx(url: string, options: FetchIdxOptions = {}): Promise<IdxArray> {
  const bytes = await fetchBytes(url, options);
  return parseIdx(await maybeGunzip(bytes, url, options), url);
}

/** Decode an IDX file given as a `Blob` or a `File` (e.g. from `<input type="file">`), `.gz` or raw. */
export async function readIdxBlob(blob: Blob, options: ReadIdxBlobOptions = {}): Promise<IdxArray> {
  const source = options.source ?? blobName(blob);
  return parseIdx(await maybeGunzip(await readBlobBytes(blob), source, options), source);
}
