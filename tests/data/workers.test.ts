import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { selectBackend } from '../../src/runtime/backend.js';
import { tf } from '../../src/runtime/tf.js';
import type { Tensor } from '../../src/runtime/tf.js';
import { DataLoader } from '../../src/data/dataloader.js';
import { disposeBatch } from '../../src/data/collate.js';
import { datasetFromModule } from '../../src/data/worker-spec.js';
import { DataLoaderWorkerError } from '../../src/data/node/worker-pool.js';
import { loadFashionMNIST } from '../../src/data/node/mnist.js';
import type { MapDataset } from '../../src/data/dataset.js';

const helpers = new URL('./helpers/slow-dataset.ts', import.meta.url).href;

async function collect(loader: DataLoader<unknown, unknown>): Promise<number[][][]> {
  const out: number[][][] = [];
  for await (const batch of loader) {
    const tensors = Array.isArray(batch) ? (batch as Tensor[]) : [batch as Tensor];
    out.push(tensors.map((t) => Array.from(t.dataSync())));
    disposeBatch(batch);
  }
  return out;
}

describe('DataLoader workers (worker_threads)', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('numWorkers 2 yields the same batches, in the same order, as numWorkers 0 (shuffled)', async () => {
    const ds = await datasetFromModule<[Float32Array, number]>({ modulePath: helpers, exportName: 'createSlowDataset', args: [{ n: 37, features: 5 }] });
    const serial = await collect(new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 3 }));
    const before = tf.memory().numTensors;
    const parallel = new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 3, numWorkers: 2, prefetchFactor: 2 });
    const got = await collect(parallel);
    assert.equal(got.length, 10);
    assert.deepEqual(got, serial);
    assert.equal(tf.memory().numTensors, before, 'no tensor leak with workers');
  });

  it('a worker loader resumes mid-epoch exactly (prefetched batches do not count)', async () => {
    const ds = await datasetFromModule<[Float32Array, number]>({ modulePath: helpers, exportName: 'createSlowDataset', args: [{ n: 30, features: 2 }] });
    const full = await collect(new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 9 }));
    const first = new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 9, numWorkers: 2 });
    const seen: number[][][] = [];
    for await (const batch of first) {
      seen.push((batch as Tensor[]).map((t) => Array.from(t.dataSync())));
      disposeBatch(batch);
      if (seen.length === 4) break;
    }
    const state = first.stateDict();
    assert.equal(state.batchesYielded, 4);
    const resumed = new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 0, numWorkers: 2 });
    resumed.loadStateDict(state);
    assert.deepEqual([...seen, ...(await collect(resumed))], full);
  });

  it('a custom collateFn runs on the main thread over the samples the workers loaded', async () => {
    const ds = await datasetFromModule<[Float32Array, number]>({ modulePath: helpers, exportName: 'createSlowDataset', args: [{ n: 6, features: 1 }] });
    const loader = new DataLoader(ds, { batchSize: 3, numWorkers: 1, collateFn: (s: Array<[Float32Array, number]>) => s.map(([, y]) => y) });
    const out: number[][] = [];
    for await (const b of loader) out.push(b);
    assert.deepEqual(out, [[0, 1, 2], [3, 4, 5]]);
  });

  it('an error in a worker surfaces on the main thread with the worker message', async () => {
    const ds = await datasetFromModule<number>({ modulePath: helpers, exportName: 'createFailingDataset', args: [8, 5] });
    const loader = new DataLoader(ds, { batchSize: 2, numWorkers: 2 });
    await assert.rejects(
      async () => {
        for await (const b of loader) disposeBatch(b);
      },
      (e: unknown) => e instanceof DataLoaderWorkerError && /sample 5 is broken/.test(e.message),
    );
  });

  it('a bad module spec fails at start with a clear error', async () => {
    const fake: MapDataset<number> = { length: 2, get: (i) => i, workerSpec: () => ({ modulePath: helpers, exportName: 'nope' }) };
    await assert.rejects(async () => {
      for await (const b of new DataLoader(fake, { numWorkers: 1 })) disposeBatch(b);
    }, /no exported function "nope"/);
  });

  it('random transforms in workers are seeded per worker (reproducible run to run)', async () => {
    const ds = await datasetFromModule<number>({ modulePath: helpers, exportName: 'createRandomDataset', args: [8] });
    const run = async () => collect(new DataLoader(ds, { batchSize: 2, numWorkers: 2, seed: 77 }));
    assert.deepEqual(await run(), await run());
  });

  it('FashionMNIST (built-in) loads in workers without a user module', async () => {
    const ds = await loadFashionMNIST({ train: false, systemPaths: [] });
    const sub: MapDataset = ds;
    assert.ok(sub.workerSpec !== undefined);
    const loader = new DataLoader(ds, { batchSize: 250, numWorkers: 2 });
    const shapes: number[][] = [];
    let firstLabels: number[] = [];
    for await (const batch of loader) {
      const [x, y] = batch as Tensor[];
      shapes.push(x!.shape);
      if (firstLabels.length === 0) firstLabels = Array.from(y!.dataSync()).slice(0, 5);
      disposeBatch(batch);
    }
    assert.deepEqual(shapes, [[250, 1, 28, 28], [250, 1, 28, 28], [250, 1, 28, 28], [250, 1, 28, 28]]);
    assert.deepEqual(firstLabels, [9, 2, 1, 1, 6]);
  });
});
