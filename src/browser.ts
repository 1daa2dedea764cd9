/**
 * lightning-ts public API for browsers: the platform-neutral API (`api.ts`) plus what a page needs instead of files
 * and processes. Bundlers pick this entry through package.json's `browser` condition; `npm run build:browser` builds
 * it to `dist-browser/lightning-ts.js`.
 */
export * from './api.js';

export * as data from './data/portable.js';
export { fetchFashionMNIST, fetchMNIST, readMnistBlobs, fetchCsvDataset, readCsvBlob, fetchIdx, readIdxBlob, FetchError } from './data/portable.js';
export { browserLogFiles } from './platform/platform.browser.js';
export { createWebWorkerPool, webWorkerPoolFactory, WebWorkerPoolError, DATA_WORKER_FILE } from './data/browser/web-worker-pool.js';
export type { WebWorkerPoolOptions } from './data/browser/web-worker-pool.js';
export { MetricChart } from './dashboard/client/charts.js';
export type { RunCurve, ChartSettings } from './dashboard/client/charts.js';
