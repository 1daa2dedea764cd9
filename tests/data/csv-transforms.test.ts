import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { selectBackend } from '../../src/runtime/backend.js';
import type { Tensor } from '../../src/runtime/tf.js';
import { CsvDataset, parseCsv } from '../../src/data/csv.js';
import { loadCsvDataset } from '../../src/data/node/csv.js';
import { DataLoader } from '../../src/data/dataloader.js';
import { disposeBatch } from '../../src/data/collate.js';
import { MappedDataset, compose, normalize, randomCrop, randomHorizontalFlip, toTensor } from '../../src/data/transforms.js';
import { CorruptFileError } from '../../src/errors.js';

const CSV = 'sepal,petal,"kind, quoted",label\n5.1,1.4,"a ""x""",0\n4.9,1.3,b,1\r\n6.0,2.0,a,2\n\n';

describe('CsvDataset', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('parses quoting, CRLF and blank lines', () => {
    assert.deepEqual(parseCsv('a,"b,c",d\r\n"x ""y""",,z\n\n'), [['a', 'b,c', 'd'], ['x "y"', '', 'z']]);
  });

  it('infers typed columns, maps categories, and splits features / target', () => {
    const ds = new CsvDataset(CSV, { target: 'label' });
    assert.equal(ds.length, 3);
    assert.deepEqual(ds.types, { sepal: 'float32', petal: 'float32', 'kind, quoted': 'category', label: 'int32' });
    assert.deepEqual(ds.categories, { 'kind, quoted': ['a "x"', 'b', 'a'] });
    const [features, target] = ds.get(2) as Array<{ data: Float32Array; shape: number[] }>;
    assert.deepEqual(Array.from(features!.data), [6, 2, 2]);
    assert.deepEqual(features!.shape, [3]);
    assert.ok(target!.data instanceof Int32Array);
    assert.deepEqual(Array.from(target!.data), [2]);
  });

  it('batches into float32 features and int32 targets, or float32 when declared', async () => {
    const batches: Tensor[][] = [];
    for await (const b of new DataLoader(new CsvDataset(CSV, { target: 'label', features: ['petal', 'sepal'] }), { batchSize: 3 })) batches.push(b as Tensor[]);
    const [x, y] = batches[0]!;
    assert.deepEqual(x!.shape, [3, 2]);
    assert.equal(x!.dtype, 'float32');
    assert.deepEqual(Array.from(x!.dataSync()).map((v) => Math.round(v * 10) / 10), [1.4, 5.1, 1.3, 4.9, 2, 6]);
    assert.equal(y!.dtype, 'int32');
    batches.forEach(disposeBatch);
    const reg = new CsvDataset(CSV, { target: 'label', types: { label: 'float32' } });
    for await (const b of new DataLoader(reg, { batchSize: 3 })) {
      assert.equal((b as Tensor[])[1]!.dtype, 'float32');
      disposeBatch(b);
    }
  });

  it('reports bad values with line and column, and ragged lines', () => {
    assert.throws(() => new CsvDataset('a,b\n1,2\n3,x\n', { types: { b: 'int32' } }), (e: unknown) => e instanceof CorruptFileError && /line 3, column "b": "x" is not an integer/.test(e.message));
    assert.throws(() => new CsvDataset('a,b\n1,2\n3\n'), /line 3: 1 fields, but the header has 2/);
    assert.throws(() => new CsvDataset('a,b\n1,2\n', { target: 'c' }), /no column "c".*\n.*Columns: a, b/);
  });

  it('loadCsvDataset reads a file and can be rebuilt in workers', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'csv-')), 'iris.csv');
    writeFileSync(path, CSV);
    const ds = await loadCsvDataset(path, { target: 'label' });
    const serial: number[][] = [];
    const parallel: number[][] = [];
    for await (const b of new DataLoader(ds, { batchSize: 2 })) {
      serial.push(Array.from((b as Tensor[])[0]!.dataSync()));
      disposeBatch(b);
    }
    for await (const b of new DataLoader(ds, { batchSize: 2, numWorkers: 1 })) {
      parallel.push(Array.from((b as Tensor[])[0]!.dataSync()));
      disposeBatch(b);
    }
    assert.deepEqual(parallel, serial);
  });
});

describe('transforms', () => {
  const image = { data: Uint8Array.from({ length: 12 }, (_, i) => i * 20), shape: [3, 4] };

  it('toTensor scales uint8 [H, W] to float [1, H, W]; normalize per channel', () => {
    const t = toTensor()(image);
    assert.deepEqual(t.shape, [1, 3, 4]);
    assert.equal(t.data[11], Math.fround((11 * 20) / 255));
    const n = compose(toTensor(), normalize([0.5], [0.25]))(image);
    assert.ok(Math.abs((n.data[0] ?? 0) - -2) < 1e-6);
    const hwc = toTensor()({ data: new Uint8Array([255, 0, 0, 255]), shape: [1, 2, 2] });
    assert.deepEqual(hwc.shape, [2, 1, 2]);
    assert.deepEqual(Array.from(hwc.data), [1, 0, 0, 1]);
  });

  it('randomCrop with padding and randomHorizontalFlip use the given random source', () => {
    const img = { data: Float32Array.from({ length: 9 }, (_, i) => i + 1), shape: [1, 3, 3] };
    const crop = randomCrop(2, { padding: 1, random: () => 0 })(img); // top-left of the padded image
    assert.deepEqual(Array.from(crop.data), [0, 0, 0, 1]);
    const crop2 = randomCrop(2, { random: () => 0.99 })(img);
    assert.deepEqual(Array.from(crop2.data), [5, 6, 8, 9]);
    assert.deepEqual(Array.from(randomHorizontalFlip({ random: () => 0.1 })(img).data), [3, 2, 1, 6, 5, 4, 9, 8, 7]);
    assert.equal(randomHorizontalFlip({ random: () => 0.9 })(img), img);
  });

  it('MappedDataset applies a transform to sync and async samples', async () => {
    const ds = new MappedDataset({ length: 2, get: async (i: number) => Promise.resolve(i) }, (x: number, i) => x * 10 + i);
    assert.equal(await ds.get(1), 11);
  });
});
