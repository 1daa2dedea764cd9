/**
 * Entry point of a DataLoader Web Worker (a module worker): the first message is a `WebWorkerInit`; the worker builds
 * its dataset from the spec — one of the browser loaders of this package (`BROWSER_DATASETS_MODULE`) or any ES module
 * URL — then answers index batches with collated typed arrays (transferred, not copied).
 */
import seedrandom from 'seedrandom';
import { collateArrays, transferablesOf } from '../collate-arrays.js';
import type { MapDataset } from '../dataset.js';
import type { WorkerBatch } from '../worker-pool.js';
import { buildDatasetFromSpec } from '../worker-spec.js';
import type { WorkerDatasetSpec } from '../worker-spec.js';
import { MisconfigurationError } from '../../errors.js';
import { BROWSER_DATASETS_MODULE } from './browser-spec.js';
import type { BrowserDatasetLoader } from './browser-spec.js';
import { fetchCsvDataset, readCsvBlob } from './csv.js';
import { fetchFashionMNIST, fetchMNIST, readMnistBlobs } from './mnist.js';

/** What the pool sends each worker first. */
export interface WebWorkerInit {
  type: 'init';
  spec: WorkerDatasetSpec;
  collateInWorker: boolean;
  seed: number;
  workerId: number;
}

/** A batch request. */
export interface WebWorkerRequest {
  type: 'load';
  id: number;
  indices: number[];
}

/** Messages from a worker to the pool. */
export type WebWorkerReply =
  | { type: 'ready' }
  | { type: 'batch'; id: number; batch: WorkerBatch }
  | { type: 'error'; id: number | undefined; name: string; message: string; stack: string | undefined };

/** The parts of a dedicated worker's global scope this file uses. */
interface WorkerScope {
  postMessage(message: WebWorkerReply, options?: { transfer?: Transferable[] }): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<WebWorkerInit | WebWorkerRequest>) => void): void;
}

function errorReply(id: number | undefined, cause: unknown): WebWorkerReply {
  const e = cause instanceof Error ? cause : new Error(String(cause));
  return { type: 'error', id, name: e.name, message: e.message, stack: e.stack };
}

/** Typed-array views of larger buffers copied to compact arrays (cloning a view clones its whole buffer). */
function compactViews(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) {
    const view = value as ArrayBufferView & { slice?: () => unknown };
    return view.byteLength < view.buffer.byteLength && typeof view.slice === 'function' ? view.slice() : value;
  }
  if (Array.isArray(value)) return value.map(compactViews);
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compactViews(v)]));
  }
  return value;
}

/** The built-in loaders, called with the recipe's arguments (typed by the loaders that wrote the recipes). */
const LOADERS: Record<BrowserDatasetLoader, (args: unknown[]) => Promise<MapDataset>> = {
  fetchFashionMNIST: (args) => fetchFashionMNIST(args[0] as Parameters<typeof fetchFashionMNIST>[0]),
  fetchMNIST: (args) => fetchMNIST(args[0] as Parameters<typeof fetchMNIST>[0]),
  readMnistBlobs: (args) => readMnistBlobs(args[0] as Blob, args[1] as Blob, args[2] as Parameters<typeof readMnistBlobs>[2]),
  fetchCsvDataset: (args) => fetchCsvDataset(args[0] as string, args[1] as Parameters<typeof fetchCsvDataset>[1]),
  readCsvBlob: (args) => readCsvBlob(args[0] as Blob, args[1] as Parameters<typeof readCsvBlob>[1]),
};

/** Build the dataset: a built-in browser loader, or the factory of an ES module (`import(modulePath)`). */
async function buildDataset(spec: WorkerDatasetSpec): Promise<MapDataset> {
  if (spec.modulePath !== BROWSER_DATASETS_MODULE) return buildDatasetFromSpec(spec);
  const loader = (LOADERS as Partial<Record<string, (args: unknown[]) => Promise<MapDataset>>>)[spec.exportName];
  if (loader === undefined) {
    throw new MisconfigurationError(`No built-in browser dataset loader is named "${spec.exportName}".`, `Use one of: ${Object.keys(LOADERS).join(', ')}.`);
  }
  return loader(spec.args ?? []);
}

/** Serve batches on `scope` (the worker's global scope). */
function serve(scope: WorkerScope): void {
  let dataset: Promise<MapDataset> | undefined;
  let collateInWorker = true;
  scope.addEventListener('message', (event) => {
    const msg = event.data;
    if (msg.type === 'init') {
      Math.random = seedrandom(`${msg.seed}:${msg.workerId}`);
      collateInWorker = msg.collateInWorker;
      dataset = buildDataset(msg.spec);
      dataset.then(
        () => scope.postMessage({ type: 'ready' }),
        (cause: unknown) => scope.postMessage(errorReply(undefined, cause)),
      );
      return;
    }
    void (async () => {
      try {
        if (dataset === undefined) throw new Error('The worker received a batch request before its init message.');
        const ds = await dataset;
        const values = msg.indices.map((i) => ds.get(i));
        const samples = values.some((v) => v instanceof Promise) ? await Promise.all(values) : values;
        if (collateInWorker) {
          const tree = collateArrays(samples);
          scope.postMessage({ type: 'batch', id: msg.id, batch: { kind: 'collated', tree } }, { transfer: transferablesOf(tree) });
        } else {
          scope.postMessage({ type: 'batch', id: msg.id, batch: { kind: 'samples', samples: samples.map(compactViews) } });
        }
      } catch (cause) {
        scope.postMessage(errorReply(msg.id, cause));
      }
    })();
  });
}

serve(globalThis);
