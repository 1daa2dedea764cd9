/**
 * Getting bytes in a browser (or any runtime with the web platform APIs): fetching a URL with HTTP errors that say
 * what failed, reading a `Blob`/`File`, and gunzipping with `DecompressionStream` when the bytes start with the gzip
 * magic number (detected by content, not by name). No Node built-ins.
 */
import { BackendError, CorruptFileError, LightningError } from '../../errors.js';

/** A fetch that failed: a network error or an HTTP status other than 2xx. */
export class FetchError extends LightningError {
  /** The HTTP status, when the server answered. */
  readonly status: number | undefined;

  constructor(message: string, hint: string, status: number | undefined, options?: ErrorOptions) {
    super(message, hint, options);
    this.status = status;
  }
}

/** Called while a body downloads: bytes received so far and the total (`undefined` without a Content-Length). */
export type FetchProgress = (loadedBytes: number, totalBytes: number | undefined) => void;

/** Options of the fetching loaders (`fetchIdx`, `fetchFashionMNIST`, `fetchCsvDataset`, `fetchBytes`). */
export interface FetchOptions {
  /** The fetch implementation. Default: `globalThis.fetch`. */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  /** Passed to `fetch` (headers, credentials, cache mode). Default: none. */
  init?: RequestInit;
  /** Aborts the download. Default: none. */
  signal?: AbortSignal;
  /** Download progress, per chunk received. Default: none. */
  onProgress?: FetchProgress;
}

/** Options of `maybeGunzip`. */
export interface GunzipOptions {
  /** Largest decompressed size accepted, in bytes (guards against gzip bombs). Default: 1 GiB. */
  maxDecompressedBytes?: number;
}

const DEFAULT_MAX_DECOMPRESSED_BYTES = 1 << 30;

/** Whether `bytes` start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Read a stream to its end into one array; `onChunk` sees the running total and may throw to stop. */
async function readAll(stream: ReadableStream<Uint8Array>, onChunk: (total: number) => void): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.length;
      onChunk(total);
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    throw error;
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Decompress `bytes` with `DecompressionStream('gzip')` if they are gzip (else return them); errors name `source`. */
export async function maybeGunzip(bytes: Uint8Array, source: string, options: GunzipOptions = {}): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  const limit = options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  const tooLarge = new CorruptFileError(
    `${source} decompresses to more than ${limit} bytes.`,
    'The file is not the expected data (or is a gzip bomb); raise maxDecompressedBytes only if you trust it.',
  );
  if (typeof globalThis.DecompressionStream !== 'function') {
    throw new BackendError(
      `${source} is gzip-compressed, and this browser has no DecompressionStream to decompress it.`,
      'Update the browser (Chrome 80+, Firefox 113+, Safari 16.4+), or serve the files uncompressed (e.g. { gzipped: false } for the MNIST loaders).',
    );
  }
  const input = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream();
  try {
    return await readAll(input.pipeThrough(new DecompressionStream('gzip')), (total) => {
      if (total > limit) throw tooLarge;
    });
  } catch (cause) {
    if (cause === tooLarge) throw tooLarge;
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new CorruptFileError(
      `${source} is a damaged gzip file (${why}).`,
      'Download it again; if a server sends it, check that it serves the file unchanged (no double compression).',
      { cause },
    );
  }
}

/** The name of a `File` (from an `<input type=file>` or drag and drop), else "Blob (<size> bytes)". */
export function blobName(blob: Blob): string {
  const name = (blob as Partial<File>).name;
  return typeof name === 'string' && name !== '' ? name : `Blob (${blob.size} bytes)`;
}

/** All bytes of a `Blob` or `File`. */
export async function readBlobBytes(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.arrayBuffer());
}

/** Fetch `url` and return its body; a network error or non-2xx status is a `FetchError` naming the URL and status. */
export async function fetchBytes(url: string, options: FetchOptions = {}): Promise<Uint8Array> {
  const doFetch = options.fetch ?? ((input: string, init?: RequestInit) => globalThis.fetch(input, init));
  const init: RequestInit = { ...options.init, ...(options.signal === undefined ? {} : { signal: options.signal }) };
  let response: Response;
  try {
    response = await doFetch(url, init);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new FetchError(
      `Could not fetch ${url}: ${why}.`,
      'Check the URL and the network; a page opened from file:// cannot fetch files — serve it over http(s).',
      undefined,
      { cause },
    );
  }
  if (!response.ok) {
    throw new FetchError(
      `Could not fetch ${url}: HTTP ${response.status}${response.statusText === '' ? '' : ` ${response.statusText}`}.`,
      response.status === 404
        ? 'Check the URL and that the server serves that file (relative URLs resolve against the page, or in a worker against its script).'
        : 'Check that the server allows this request (CORS, authentication) and try again.',
      response.status,
    );
  }
  const length = Number(response.headers.get('content-length') ?? NaN);
  const total = Number.isFinite(length) ? length : undefined;
  const onProgress = options.onProgress;
  if (response.body === null) return new Uint8Array(0);
  try {
    return await readAll(response.body, (loaded) => onProgress?.(loaded, total));
  } catch (cause) {
    if (cause instanceof LightningError) throw cause;
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new FetchError(`The download of ${url} was interrupted: ${why}.`, 'Try again; check the network connection.', response.status, { cause });
  }
}
