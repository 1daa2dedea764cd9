/** Entry point of a DataLoader worker thread: builds the dataset from its spec, then serves index batches. */
import { parentPort, workerData } from 'node:worker_threads';
import seedrandom from 'seedrandom';
import { collateArrays, transferablesOf } from '../collate-arrays.js';
import type { MapDataset } from '../dataset.js';
import type { WorkerBatch } from '../worker-pool.js';
import { buildDatasetFromSpec } from '../worker-spec.js';
import type { WorkerDatasetSpec } from '../worker-spec.js';

/** What the pool passes to each worker. */
export interface WorkerInit {
  spec: WorkerDatasetSpec;
  collateInWorker: boolean;
  seed: number;
  workerId: number;
}

/** Messages from a worker to the pool. */
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'batch'; id: number; batch: WorkerBatch }
  | { type: 'error'; id: number | undefined; name: string; message: string; stack: string | undefined };

function errorReply(id: number | undefined, cause: unknown): WorkerReply {
  const e = cause instanceof Error ? cause : new Error(String(cause));
  return { type: 'error', id, name: e.name, message: e.message, stack: e.stack };
}

/**
 * `value` with every typed-array view of a larger buffer replaced by a compact copy: structured cloning a view
 * copies its whole buffer (a view of `MnistDataset`'s float cache would send the entire cache per sample).
 */
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

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('worker-entry.ts must run in a worker thread.');
  const init = workerData as WorkerInit;
  // Per-worker seed for random transforms, like PyTorch's base_seed + worker_id.
  Math.random = seedrandom(`${init.seed}:${init.workerId}`);
  let dataset: MapDataset;
  try {
    dataset = await buildDatasetFromSpec(init.spec);
  } catch (cause) {
    port.postMessage(errorReply(undefined, cause));
    return;
  }
  port.on('message', (msg: { id: number; indices: number[] }) => {
    void (async () => {
      try {
        if (init.collateInWorker && dataset.collateItems !== undefined) {
          const tree = dataset.collateItems(msg.indices);
          port.postMessage({ type: 'batch', id: msg.id, batch: { kind: 'collated', tree } } satisfies WorkerReply, transferablesOf(tree));
          return;
        }
        const values = msg.indices.map((i) => dataset.get(i));
        const samples = values.some((v) => v instanceof Promise) ? await Promise.all(values) : values;
        if (init.collateInWorker) {
          const tree = collateArrays(samples);
          const reply: WorkerReply = { type: 'batch', id: msg.id, batch: { kind: 'collated', tree } };
          port.postMessage(reply, transferablesOf(tree));
        } else {
          port.postMessage({ type: 'batch', id: msg.id, batch: { kind: 'samples', samples: samples.map(compactViews) } } satisfies WorkerReply);
        }
      } catch (cause) {
        port.postMessage(errorReply(msg.id, cause));
      }
    })();
  });
  port.postMessage({ type: 'ready' } satisfies WorkerReply);
}

void main();
