import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { selectBackend } from '../../src/runtime/backend.js';
import type { Tensor } from '../../src/runtime/tf.js';
import { DataLoader } from '../../src/data/dataloader.js';
import { disposeBatch } from '../../src/data/collate.js';
import { collateArrays } from '../../src/data/collate-arrays.js';
import type { ArrayLeaf } from '../../src/data/collate-arrays.js';
import { MnistDataset } from '../../src/data/mnist.js';
import { toTensor } from '../../src/data/transforms.js';
import type { FloatImage } from '../../src/data/transforms.js';
import { loadFashionMNIST } from '../../src/data/node/mnist.js';

/** 5 images of 3×4 with every byte value pattern, labels 0..4. */
function tiny(options: { floatCache?: boolean } = {}): MnistDataset<FloatImage> {
  const pixels = Uint8Array.from({ length: 5 * 12 }, (_, i) => (i * 37 + 11) % 256);
  pixels[0] = 255;
  pixels[1] = 0;
  return new MnistDataset<FloatImage>({ dtype: 'uint8', shape: [5, 3, 4], data: pixels }, { dtype: 'uint8', shape: [5], data: Uint8Array.of(0, 1, 2, 3, 4) }, options);
}

describe('MnistDataset float cache', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('gives exactly the values and shape toTensor() gives, on first and repeated reads', () => {
    const cached = tiny();
    const plain = tiny({ floatCache: false });
    const ref = toTensor();
    for (const pass of [0, 1]) {
      for (let i = 0; i < 5; i++) {
        const [img, label] = cached.get(i);
        const expected = ref({ data: (cached.images.data as Uint8Array).subarray(i * 12, (i + 1) * 12), shape: [3, 4] });
        assert.deepEqual(img.shape, [1, 3, 4]);
        assert.deepEqual(Array.from(img.data), Array.from(expected.data), `image ${i}, pass ${pass}`);
        assert.equal(label, i);
        assert.deepEqual(plain.get(i)[0], expected);
      }
    }
    assert.equal(cached.get(0)[0].data[0], 1);
    assert.equal(cached.get(0)[0].data[1], 0);
    assert.equal(cached.get(0)[0].data[2], Math.fround(((37 * 2 + 11) % 256) / 255));
  });

  it('hands out views of one array (no copy per read) and fresh arrays with floatCache: false', () => {
    const cached = tiny();
    const a = cached.get(2)[0].data;
    const b = cached.get(3)[0].data;
    assert.equal(a.buffer, b.buffer);
    assert.equal(a.length, 12);
    assert.equal(b.byteOffset - a.byteOffset, 12 * 4);
    const plain = tiny({ floatCache: false });
    assert.notEqual(plain.get(2)[0].data.buffer, plain.get(3)[0].data.buffer);
  });

  it('a transform replaces the cache (the transform sees the uint8 image)', () => {
    const pixels = new Uint8Array(2 * 4).fill(51);
    const ds = new MnistDataset({ dtype: 'uint8', shape: [2, 2, 2], data: pixels }, { dtype: 'uint8', shape: [2], data: Uint8Array.of(1, 0) }, {
      transform: (img) => img.data[0] ?? -1,
      floatCache: true,
    });
    assert.deepEqual(ds.get(1), [51, 0]);
  });

  it('collates cached samples into the batch the per-sample path gives', () => {
    const cached = tiny();
    const plain = tiny({ floatCache: false });
    const idx = [4, 0, 3];
    const [x1, y1] = collateArrays(idx.map((i) => cached.get(i))) as [ArrayLeaf, ArrayLeaf];
    const [x2, y2] = collateArrays(idx.map((i) => plain.get(i))) as [ArrayLeaf, ArrayLeaf];
    assert.deepEqual(x1, x2);
    assert.deepEqual(y1, y2);
    assert.equal(x1.dtype, 'float32');
    assert.deepEqual(x1.shape, [3, 1, 3, 4]);
    assert.equal(y1.dtype, 'int32');
    assert.deepEqual(Array.from(y1.data), [4, 0, 3]);
  });

  it('workers with a custom collateFn receive compact sample arrays, not the whole cache', async () => {
    const ds = await loadFashionMNIST<FloatImage>({ train: false, systemPaths: [] });
    const loader = new DataLoader(ds, {
      batchSize: 4,
      numWorkers: 1,
      collateFn: (s: Array<[FloatImage, number]>) => s.map(([x]) => [x.data.length, x.data.buffer.byteLength, x.data[200] ?? -1]),
    });
    let first: number[][] | undefined;
    for await (const batch of loader) {
      first = batch;
      break;
    }
    const direct = await loadFashionMNIST<FloatImage>({ train: false, systemPaths: [] });
    assert.deepEqual(first, [0, 1, 2, 3].map((i) => [784, 784 * 4, direct.get(i)[0].data[200]]));
    await loader.close();
  });

  it('a default DataLoader over the cached dataset gives the same tensors as over the per-sample one', async () => {
    const run = async (floatCache: boolean) => {
      const out: number[][] = [];
      for await (const batch of new DataLoader(tiny({ floatCache }), { batchSize: 2, shuffle: true, seed: 3 })) {
        const [x, y] = batch as Tensor[];
        out.push([...x!.dataSync(), ...y!.dataSync()]);
        disposeBatch(batch);
      }
      return out;
    };
    assert.deepEqual(await run(true), await run(false));
  });
});
