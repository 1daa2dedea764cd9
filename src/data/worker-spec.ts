/**
 * How a dataset is re-created inside a worker. Functions and class instances cannot cross a thread boundary, so
 * `numWorkers > 0` needs a recipe instead: an ES module (URL or path), the name of a factory it exports, and
 * structured-clonable arguments. Each worker imports the module, calls `factory(...args)` once (it may be async),
 * and from then on loads and transforms samples itself; only index lists go in and typed arrays come back.
 */
import { MisconfigurationError, describeValue } from '../errors.js';
import type { MapDataset } from './dataset.js';

/** A recipe for building a map-style dataset in a worker: `(await import(modulePath))[exportName](...args)`. */
export interface WorkerDatasetSpec {
  /** The module to import: a `file:` URL (e.g. `new URL('./data.ts', import.meta.url).href`) or an absolute path. */
  modulePath: string;
  /** The exported factory: a function returning a map-style dataset or a promise of one. */
  exportName: string;
  /** Arguments passed to the factory; must be structured-clonable (plain data, typed arrays). Default: []. */
  args?: unknown[];
}

/** Import `spec.modulePath`, call its factory and check that the result is a map-style dataset. */
export async function buildDatasetFromSpec<T>(spec: WorkerDatasetSpec): Promise<MapDataset<T>> {
  const mod = (await import(spec.modulePath)) as Record<string, unknown>;
  const factory = mod[spec.exportName];
  if (typeof factory !== 'function') {
    throw new MisconfigurationError(
      `Dataset module ${spec.modulePath} has no exported function "${spec.exportName}" (received ${describeValue(factory)}).`,
      `Export a factory, e.g. \`export function ${spec.exportName}(...args) { return new MyDataset(...args); }\`, and name it in exportName.`,
    );
  }
  const dataset = (await (factory as (...a: unknown[]) => unknown)(...(spec.args ?? []))) as Partial<MapDataset<T>>;
  if (typeof dataset?.get !== 'function' || typeof dataset.length !== 'number') {
    throw new MisconfigurationError(
      `${spec.exportName}() in ${spec.modulePath} returned ${describeValue(dataset)}, not a map-style dataset.`,
      'Return an object with a numeric `length` and a `get(index)` method.',
    );
  }
  return dataset as MapDataset<T>;
}

/**
 * Build a dataset from a module factory on this thread and remember the recipe, so a DataLoader with
 * `numWorkers > 0` can rebuild the same dataset (transforms included) in every worker.
 *
 * @example
 * // data.ts: export function trainSet(root: string) { return new MappedDataset(loadIdx(root), slowAugment); }
 * const train = await datasetFromModule({ modulePath: new URL('./data.ts', import.meta.url).href, exportName: 'trainSet', args: ['/data'] });
 * const loader = new DataLoader(train, { batchSize: 64, numWorkers: 2 });
 */
export async function datasetFromModule<T>(spec: WorkerDatasetSpec): Promise<MapDataset<T>> {
  const dataset = await buildDatasetFromSpec<T>(spec);
  const frozen: WorkerDatasetSpec = Object.freeze({ ...spec, args: [...(spec.args ?? [])] });
  return {
    get length() {
      return dataset.length;
    },
    get: (index: number) => dataset.get(index),
    workerSpec: () => frozen,
  };
}
