/** `CsvDataset`s from a URL or a `Blob`/`File` (gzip-compressed or plain text), without Node built-ins. */
import { CsvDataset } from '../csv.js';
import type { CsvDatasetOptions } from '../csv.js';
import { absoluteUrl, browserDatasetSpec } from './browser-spec.js';
import { blobName, fetchBytes, maybeGunzip, readBlobBytes } from './fetch-bytes.js';
import type { FetchOptions, GunzipOptions } from './fetch-bytes.js';

/** Options of `fetchCsvDataset`: the dataset's options plus how to fetch. */
export interface FetchCsvOptions extends CsvDatasetOptions, FetchOptions, GunzipOptions {}

/** Options of `readCsvBlob`: the dataset's options (`source` defaults to the file name). */
export interface ReadCsvBlobOptions extends CsvDatasetOptions, GunzipOptions {}

function decodeText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}

function datasetOptions(options: CsvDatasetOptions, source: string): CsvDatasetOptions {
  const { target, features, types, delimiter } = options;
  return {
    source,
    ...(target === undefined ? {} : { target }),
    ...(features === undefined ? {} : { features }),
    ...(types === undefined ? {} : { types }),
    ...(delimiter === undefined ? {} : { delimiter }),
  };
}

/** Fetch a CSV file (header line first) into a `CsvDataset`; errors name the URL. Workers can rebuild it unless `fetch` is custom. */
export async function fetchCsvDataset(url: string, options: FetchCsvOptions = {}): Promise<CsvDataset> {
  const source = options.source ?? url;
  const bytes = await maybeGunzip(await fetchBytes(url, options), source, options);
  const dataset = new CsvDataset(decodeText(bytes), datasetOptions(options, source));
  if (options.fetch === undefined) {
    const spec = browserDatasetSpec('fetchCsvDataset', [absoluteUrl(url), { ...datasetOptions(options, source), ...gunzipOptions(options) }]);
    dataset.workerSpec = () => spec;
  }
  return dataset;
}

/** Read a CSV `Blob` or `File` (e.g. from `<input type="file">`) into a `CsvDataset`; errors name the file; workers can rebuild it. */
export async function readCsvBlob(blob: Blob, options: ReadCsvBlobOptions = {}): Promise<CsvDataset> {
  const source = options.source ?? blobName(blob);
  const bytes = await maybeGunzip(await readBlobBytes(blob), source, options);
  const dataset = new CsvDataset(decodeText(bytes), datasetOptions(options, source));
  const spec = browserDatasetSpec('readCsvBlob', [blob, { ...datasetOptions(options, source), ...gunzipOptions(options) }]);
  dataset.workerSpec = () => spec;
  return dataset;
}

function gunzipOptions(options: GunzipOptions): GunzipOptions {
  return options.maxDecompressedBytes === undefined ? {} : { maxDecompressedBytes: options.maxDecompressedBytes };
}
