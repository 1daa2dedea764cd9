import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
import type { Tensor } from '../../src/runtime/tf.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { DataLoader } from '../../src/data/dataloader.js';
import { defaultCollate, disposeBatch } from '../../src/data/collate.js';
import { ConcatDataset, Subset, TensorDataset } from '../../src/data/dataset.js';
import { CollateError } from '../../src/data/errors.js';
import { SequentialSampler } from '../../src/data/sampler.js';
import { MisconfigurationError } from '../../src/errors.js';
import { seedEverything } from '../../src/utilities/seed.js';

/** A map-style dataset of `{ x: [i, i + 0.5], y: i % 3 }`. */
const rows = (n: number) => ({ length: n, get: (i: number) => ({ x: new Float32Array([i, i + 0.5]), y: i % 3 }) });

async function labels(loader: AsyncIterable<unknown>, limit = Infinity): Promise<number[][]> {
  const out: number[][] = [];
  for await (const batch of loader) {
    out.push(Array.from((batch as { x: Tensor }).x.dataSync()).filter((_, k) => k % 2 === 0));
    disposeBatch(batch);
    if (out.length >= limit) break;
  }
  return out;
}

describe('DataLoader', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('batches in order with the right shapes and dtypes; length counts batches', async () => {
    const loader = new DataLoader(rows(5), { batchSize: 2 });
    assert.equal(loader.length, 3);
    const batches: Array<{ x: Tensor; y: Tensor }> = [];
    for await (const b of loader) batches.push(b as { x: Tensor; y: Tensor });
    assert.deepEqual(batches.map((b) => b.x.shape), [[2, 2], [2, 2], [1, 2]]);
    assert.equal(batches[0]?.x.dtype, 'float32');
    assert.equal(batches[0]?.y.dtype, 'int32');
    assert.deepEqual(Array.from(batches[1]!.x.dataSync()), [2, 2.5, 3, 3.5]);
    assert.deepEqual(Array.from(batches[2]!.y.dataSync()), [1]);
    batches.forEach(disposeBatch);
    assert.equal(new DataLoader(rows(5), { batchSize: 2, dropLast: true }).length, 2);
  });

  it('default collate: numbers, booleans, nested arrays, tuples, objects, tensors', () => {
    const t = [tf.tensor([1, 2]), tf.tensor([3, 4])];
    const batch = defaultCollate<[Tensor, Tensor, Tensor, { m: Tensor; s: string[] }, Tensor]>([
      [0.5, true, [[1, 2], [3, 4]], { m: [1, 2, 3], s: 'a' }, t[0]],
      [1, false, [[5, 6], [7, 8]], { m: [4, 5, 6], s: 'b' }, t[1]],
    ]);
    assert.equal(batch[0].dtype, 'float32');
    assert.deepEqual(Array.from(batch[0].dataSync()), [0.5, 1]);
    assert.equal(batch[1].dtype, 'bool');
    assert.deepEqual(batch[2].shape, [2, 2, 2]);
    assert.equal(batch[2].dtype, 'int32');
    assert.deepEqual(batch[3].m.shape, [2, 3]);
    assert.deepEqual(batch[3].s, ['a', 'b']);
    assert.deepEqual(batch[4].shape, [2, 2]);
    assert.deepEqual(Array.from(batch[4].dataSync()), [1, 2, 3, 4]);
    assert.equal(disposeBatch(batch), 5);
    tf.dispose(t);
    assert.throws(() => defaultCollate([new Float32Array(2), new Float32Array(3)]), CollateError);
    assert.throws(() => defaultCollate([{ a: 1 }, { b: 1 }]), /no key "a"/);
  });

  it('TensorDataset, Subset and ConcatDataset round-trip rows and dtypes', async () => {
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const y = tf.tensor1d([0, 1, 2], 'int32');
    const ds = new TensorDataset(x, y);
    tf.dispose([x, y]);
    const both = new ConcatDataset([ds, new Subset(ds, [2, 0])]);
    assert.equal(both.length, 5);
    const batches: Tensor[][] = [];
    for await (const b of new DataLoader(both, { batchSize: 5 })) batches.push(b as Tensor[]);
    const [bx, by] = batches[0]!;
    assert.deepEqual(Array.from(bx!.dataSync()), [1, 2, 3, 4, 5, 6, 5, 6, 1, 2]);
    assert.equal(by!.dtype, 'int32');
    assert.deepEqual(Array.from(by!.dataSync()), [0, 1, 2, 2, 0]);
    batches.forEach(disposeBatch);
  });

  it('shuffle is reproducible under seedEverything and differs across epochs', async () => {
    seedEverything(42);
    const a = new DataLoader(rows(16), { batchSize: 4, shuffle: true });
    const a0 = (await labels(a)).flat();
    const a1 = (await labels(a)).flat();
    seedEverything(42);
    const b = new DataLoader(rows(16), { batchSize: 4, shuffle: true });
    assert.deepEqual((await labels(b)).flat(), a0);
    assert.notDeepEqual(a1, a0);
    assert.deepEqual([...a1].sort((p, q) => p - q), Array.from({ length: 16 }, (_, i) => i));
    b.setEpoch(1);
    assert.deepEqual((await labels(b)).flat(), a1, 'setEpoch(1) gives the second epoch order');
  });

  it('a loader resumed from stateDict() mid-epoch yields exactly the remaining batches, then the same next epochs', async () => {
    const make = () => new DataLoader(rows(23), { batchSize: 4, shuffle: true, seed: 5 });
    const reference = make();
    const uninterrupted: number[][][] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      reference.setEpoch(epoch);
      uninterrupted.push(await labels(reference));
    }
    const first = make();
    first.setEpoch(0);
    await labels(first); // epoch 0 complete
    first.setEpoch(1);
    const seen = await labels(first, 2); // two batches of epoch 1, then "crash"
    const state = JSON.parse(JSON.stringify(first.stateDict())) as ReturnType<typeof first.stateDict>;
    assert.equal(state.batchesYielded, 2);
    assert.equal(state.epoch, 1);

    const resumed = new DataLoader(rows(23), { batchSize: 4, shuffle: true, seed: 1234 });
    resumed.loadStateDict(state);
    resumed.setEpoch(1); // the Trainer sets the (restored) current epoch
    assert.deepEqual([...seen, ...(await labels(resumed))], uninterrupted[1]);
    resumed.setEpoch(2);
    assert.deepEqual(await labels(resumed), uninterrupted[2]);
  });

  it('after an early break, stateDict() reports the position but a new pass restarts the epoch', async () => {
    const loader = new DataLoader(rows(9), { batchSize: 3 });
    assert.deepEqual(await labels(loader, 1), [[0, 1, 2]]);
    assert.deepEqual(loader.stateDict(), { batchesYielded: 1, sampler: { epoch: 0, seed: 0, position: 3 } });
    assert.deepEqual(await labels(loader), [[0, 1, 2], [3, 4, 5], [6, 7, 8]]);
  });

  it('resumes a sampler without state by skipping the batches already seen', async () => {
    const plain = { length: 10, *[Symbol.iterator]() { for (let i = 0; i < 10; i++) yield i; } };
    const first = new DataLoader(rows(10), { sampler: plain, batchSize: 3 });
    const seen = await labels(first, 2);
    const resumed = new DataLoader(rows(10), { sampler: plain, batchSize: 3 });
    resumed.loadStateDict(first.stateDict());
    assert.deepEqual([...seen, ...(await labels(resumed))], [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
  });

  it('leaks no tensor over an epoch of iteration + disposeBatch (and an early break)', async () => {
    const loader = new DataLoader(rows(50), { batchSize: 8, shuffle: true, seed: 1 });
    const before = tf.memory().numTensors;
    for await (const batch of loader) disposeBatch(batch);
    assert.equal(tf.memory().numTensors, before);
    for await (const batch of loader) {
      disposeBatch(batch);
      break;
    }
    assert.equal(tf.memory().numTensors, before);
  });

  it('reads async map-style, iterable and async-iterable datasets', async () => {
    const asyncMap = { length: 3, get: async (i: number) => Promise.resolve(i * 10) };
    const out: number[][] = [];
    for await (const b of new DataLoader(asyncMap, { batchSize: 2 })) {
      out.push(Array.from((b as Tensor).dataSync()));
      disposeBatch(b);
    }
    assert.deepEqual(out, [[0, 10], [20]]);
    async function* gen() {
      for (let i = 0; i < 5; i++) yield await Promise.resolve([i, i * 2]);
    }
    const it = new DataLoader<number[], Tensor>(gen() as AsyncIterable<number[]>, { batchSize: 2, dropLast: true });
    assert.equal(it.length, undefined);
    const shapes: number[][] = [];
    for await (const b of it) {
      shapes.push(b.shape);
      b.dispose();
    }
    assert.deepEqual(shapes, [[2, 2], [2, 2]]);
    const sync = new DataLoader(Object.assign([1, 2, 3, 4, 5], {}) as Iterable<number> & { length: number }, { batchSize: 2 });
    assert.equal(sync.length, 3);
  });

  it('explains bad configurations', () => {
    assert.throws(() => new DataLoader(rows(4), { shuffle: true, sampler: new SequentialSampler({ length: 4 }) }), /mutually exclusive with shuffle/);
    assert.throws(() => new DataLoader(rows(4), { numWorkers: 2 }), (e: unknown) => e instanceof MisconfigurationError && /workerSpec/.test(e.message) && /datasetFromModule/.test(e.message));
    assert.throws(() => new DataLoader(rows(4), { batchSize: 0 }), /batchSize must be a positive integer/);
  });
});
