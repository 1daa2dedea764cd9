/**
 * The browser platform: what `platform.ts` becomes in a browser bundle (package.json's `browser` field and
 * `scripts/build-browser.mjs` swap the file). Checkpoints go to IndexedDB (memory when it is missing), file loggers
 * write to one in-memory file system, progress prints plain lines to the console, DataLoader workers are Web Workers,
 * and there are no signals.
 */
import { IndexedDBCheckpointIO } from '../checkpoint/indexeddb-checkpoint-io.js';
import { MemoryCheckpointIO } from '../checkpoint/memory-checkpoint-io.js';
import { PlainLineRenderer } from '../callbacks/progress/renderer.js';
import { MisconfigurationError } from '../errors.js';
import { MemoryLogFileSystem } from '../loggers/file-system.js';
import { storedDeflate } from '../loggers/tensorboard/png.js';
import type { Platform } from './types.js';

/** The files written by loggers in this page (read them back with `browserLogFiles.readFile`, or zip and download them). */
export const browserLogFiles = new MemoryLogFileSystem();

function notInBrowser(what: string, hint: string): MisconfigurationError {
  return new MisconfigurationError(`${what} is not available in a browser.`, hint);
}

/** The browser's implementation of the platform services. */
export const platform: Platform = {
  name: 'browser',
  createCheckpointIO() {
    const idb = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    return Promise.resolve(idb === undefined ? new MemoryCheckpointIO() : new IndexedDBCheckpointIO({ indexedDB: idb }));
  },
  logFileSystem: browserLogFiles,
  deflate: storedDeflate,
  hostname: () => (globalThis as { location?: { hostname?: string } }).location?.hostname || 'browser',
  pid: () => 0,
  createProgressRenderer(plainIntervalMs) {
    return Promise.resolve(new PlainLineRenderer({ isTTY: false, write: (text) => console.log(text.replace(/\n$/, '')) }, plainIntervalMs));
  },
  installSignalHandlers: () => () => {},
  startDashboard() {
    return Promise.reject(notInBrowser('The dashboard server', 'Draw charts in the page instead (see examples/browser), or set dashboard: false.'));
  },
  async workerPoolFactory() {
    return (await import('../data/browser/web-worker-pool.js')).webWorkerPoolFactory();
  },
  createCpuProfiler() {
    return Promise.reject(notInBrowser('profiler: "advanced"', 'Use profiler: "simple", or record a profile with the browser\'s dev tools (Performance tab).'));
  },
};
