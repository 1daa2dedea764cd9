import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { selectBackend } from '../../src/runtime/backend.js';
import type { Tensor } from '../../src/runtime/tf.js';
import { DataLoader } from '../../src/data/dataloader.js';
import { disposeBatch } from '../../src/data/collate.js';
import { collateArrays } from '../../src/data/collate-arrays.js';
import { MnistDataset } from '../../src/data/mnist.js';
import { ConcatDataset, Subset, randomSplit } from '../../src/data/dataset.js';
import type { MapDataset } from '../../src/data/dataset.js';
import type { FloatImage } from '../../src/data/transforms.js';
import { loadFashionMNIST } from '../../src/data/node/mnist.js';
import { datasetFromModule } from '../../src/data/worker-spec.js';

/** 6 images of 3×4 covering many byte values (0 and 255 included), labels 0..5. */
function tiny(transform?: (img: { data: Uint8Array | Float32Array | Int32Array; shape: number[] }) => unknown): MnistDataset<unknown> {
  const pixels = Uint8Array.from({ length: 6 * 12 }, (_, i) => (i * 37 + 11) % 256);
  pixels[0] = 255;
  pixels[1] = 0;
  const labels = { dtype: 'uint8' as const, shape: [6], data: Uint8Array.of(0, 1, 2, 3, 4, 5) };
  return new MnistDataset({ dtype: 'uint8', shape: [6, 3, 4], data: pixels }, labels, transform === undefined ? {} : { transform });
}

async function batches(loader: DataLoader<unknown, unknown>): Promise<number[][]> {
  const out: number[][] = [];
  for await (const batch of loader) {
    const [x, y] = batch as Tensor[];
    out.push([...x!.shape, ...x!.dataSync(), ...y!.dataSync(), y!.dtype === 'int32' ? 1 : 0]);
    disposeBatch(batch);
  }
  return out;
}

describe('MnistDataset batches built directly (collateItems)', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('equals the default collate of the samples: float32 [n, 1, H, W] × 1/255 and int32 labels', () => {
    const ds = tiny();
    const idx = [5, 0, 3, 3];
    assert.ok(ds.collateItems !== undefined);
    const direct = ds.collateItems(idx);
    assert.deepEqual(direct, collateArrays(idx.map((i) => ds.get(i))));
    const [x] = direct as [{ data: Float32Array; shape: number[] }];
    assert.deepEqual(x.shape, [4, 1, 3, 4]);
    assert.equal(x.data[12], 1);
    assert.equal(x.data[13], 0);
    assert.equal(x.data[14], Math.fround(((2 * 37 + 11) % 256) / 255));
    assert.throws(() => ds.collateItems?.([0, 6]), RangeError);
  });

  it('is absent with a transform (the samples are the transform\'s) and passes through Subset and randomSplit', () => {
    assert.equal(tiny((img) => img.data[0]).collateItems, undefined);
    const ds = tiny();
    const sub = new Subset(ds, [4, 1, 2]);
    assert.deepEqual(sub.collateItems?.([2, 0]), ds.collateItems?.([2, 4]));
    assert.throws(() => sub.collateItems?.([3]), RangeError);
    const [a] = randomSplit(ds, [0.5, 0.5], { seed: 1 });
    assert.deepEqual(a!.collateItems?.([0, 1, 2]), collateArrays([0, 1, 2].map((i) => a!.get(i))));
    assert.equal(new Subset(new ConcatDataset([ds, ds]) as MapDataset, [0]).collateItems, undefined);
  });

  it('a DataLoader gives the same tensors with the fast path as through get + collate', async () => {
    const ds = tiny();
    const slow: MapDataset = { length: ds.length, get: (i) => ds.get(i) };
    const opts = { batchSize: 4, shuffle: true, seed: 3 };
    const fast = await batches(new DataLoader(new Subset(ds, [5, 4, 3, 2, 1]), opts));
    assert.deepEqual(fast, await batches(new DataLoader(new Subset(slow, [5, 4, 3, 2, 1]), opts)));
    assert.equal(fast.length, 2);
    // A collateFn always gets the samples.
    const seen: unknown[] = [];
    for await (const b of new DataLoader(ds, { batchSize: 6, collateFn: (s: unknown[]) => s.length })) seen.push(b);
    assert.deepEqual(seen, [6]);
  });

  it('workers build the batches the main thread builds', async () => {
    const ds = await loadFashionMNIST<FloatImage>({ train: false, systemPaths: [] });
    const opts = { batchSize: 300, shuffle: true, seed: 5 };
    const inWorkers = new DataLoader(ds, { ...opts, numWorkers: 1 });
    const first = async (loader: DataLoader<unknown, unknown>) => {
      for await (const batch of loader) {
        const [x, y] = batch as Tensor[];
        const out = [x!.shape, Array.from(x!.dataSync().slice(0, 2000)), Array.from(y!.dataSync())];
        disposeBatch(batch);
        return out;
      }
      return [];
    };
    const a = await first(inWorkers);
    await inWorkers.close();
    assert.deepEqual(a, await first(new DataLoader(ds, opts)));
    assert.deepEqual(a[0], [300, 1, 28, 28]);
  });

  it('workers with a custom collateFn receive compact copies of sample views, not their whole buffers', async () => {
    const ds = await datasetFromModule<{ data: Float32Array; shape: number[] }>({
      modulePath: new URL('./helpers/view-dataset.ts', import.meta.url).href,
      exportName: 'createViewDataset',
      args: [3],
    });
    const loader = new DataLoader(ds, {
      batchSize: 3,
      numWorkers: 1,
      collateFn: (s: Array<{ data: Float32Array }>) => s.map((x) => [x.data.buffer.byteLength, ...x.data]),
    });
    const got: unknown[] = [];
    for await (const batch of loader) got.push(batch);
    assert.deepEqual(got, [[[16, 0, 1, 2, 3], [16, 10, 11, 12, 13], [16, 20, 21, 22, 23]]]);
  });
});
