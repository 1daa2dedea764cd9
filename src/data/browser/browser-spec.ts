/**
 * Worker recipes for the browser loaders: a dataset fetched on the page can be rebuilt inside a DataLoader Web Worker
 * by fetching again (the browser's HTTP cache usually answers). Workers resolve relative URLs against their own
 * script, so recipes carry absolute URLs.
 */
import type { WorkerDatasetSpec } from '../worker-spec.js';

/** The `modulePath` that names the loaders built into the Web Worker entry (no module is imported). */
export const BROWSER_DATASETS_MODULE = 'lightning-ts:browser-datasets';

/** The loaders a Web Worker can call by name. */
export type BrowserDatasetLoader = 'fetchFashionMNIST' | 'fetchMNIST' | 'readMnistBlobs' | 'fetchCsvDataset' | 'readCsvBlob';

/** `url` made absolute against the page (`document.baseURI`, else `location.href`); unchanged outside a page. */
export function absoluteUrl(url: string): string {
  const g = globalThis as { document?: { baseURI?: string }; location?: { href?: string } };
  const base = g.document?.baseURI ?? g.location?.href;
  if (base === undefined) return url;
  try {
    return new URL(url, base).href;
  } catch {
    return url;
  }
}

/** A recipe calling one of the built-in browser loaders with structured-clonable `args`. */
export function browserDatasetSpec(exportName: BrowserDatasetLoader, args: unknown[]): WorkerDatasetSpec {
  return { modulePath: BROWSER_DATASETS_MODULE, exportName, args };
}
