import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { BackendError, CorruptFileError, MisconfigurationError } from '../../src/errors.js';
import { encodeIdx } from '../../src/data/idx.js';
import { readIdxFile } from '../../src/data/node/idx-file.js';
import { FashionMNIST } from '../../src/data/node/mnist.js';
import { loadCsvDataset } from '../../src/data/node/csv.js';
import { FetchError, fetchBytes, maybeGunzip } from '../../src/data/browser/fetch-bytes.js';
import { fetchIdx, readIdxBlob } from '../../src/data/browser/idx.js';
import { fetchFashionMNIST, readMnistBlobs } from '../../src/data/browser/mnist.js';
import { fetchCsvDataset, readCsvBlob } from '../../src/data/browser/csv.js';

const SAMPLE = new URL('../../data/fashion-mnist-sample/', import.meta.url).pathname;
const BROWSER_SRC = new URL('../../src/data/browser/', import.meta.url).pathname;

const gzip = async (bytes: Uint8Array): Promise<Uint8Array> =>
  new Uint8Array(await new Response(new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer());

/** A fake `fetch` serving `files` by URL (404 otherwise), recording every request. */
function fakeFetch(files: Record<string, Uint8Array>, requests: string[] = []) {
  return (url: string): Promise<Response> => {
    requests.push(url);
    const body = files[url];
    if (body === undefined) return Promise.resolve(new Response('no such file', { status: 404, statusText: 'Not Found' }));
    // Two chunks, so progress is reported more than once.
    const half = body.length >> 1;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(body.slice(0, half));
        controller.enqueue(body.slice(half));
        controller.close();
      },
    });
    return Promise.resolve(new Response(stream, { headers: { 'content-length': String(body.length) } }));
  };
}

const sampleFiles = (baseUrl: string): Record<string, Uint8Array> =>
  Object.fromEntries(readdirSync(SAMPLE).filter((f) => f.endsWith('.gz')).map((f) => [`${baseUrl}${f}`, new Uint8Array(readFileSync(join(SAMPLE, f)))]));

describe('browser data loading (Blob, fetch, DecompressionStream)', () => {
  it('readIdxBlob decodes the shipped gzip sample and its raw bytes to the arrays the Node reader gives', async () => {
    const path = join(SAMPLE, 't10k-images-idx3-ubyte.gz');
    const expected = await readIdxFile(path);
    const gz = readFileSync(path);
    const fromFile = await readIdxBlob(new File([gz], 't10k-images-idx3-ubyte.gz'));
    const fromRaw = await readIdxBlob(new Blob([gunzipSync(gz)]));
    for (const got of [fromFile, fromRaw]) {
      assert.equal(got.dtype, 'uint8');
      assert.deepEqual(got.shape, [1000, 28, 28]);
      assert.equal(Buffer.compare(Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength), Buffer.from(expected.data.buffer, expected.data.byteOffset, expected.data.byteLength)), 0);
    }
  });

  it('round-trips a float32 IDX array gzipped with CompressionStream', async () => {
    const data = new Float32Array([0.5, -1.25, 3, 1e-7, -0, 65504]);
    const bytes = await gzip(encodeIdx({ dtype: 'float32', shape: [2, 3], data }));
    assert.deepEqual([bytes[0], bytes[1]], [0x1f, 0x8b]);
    const back = await readIdxBlob(new Blob([bytes as Uint8Array<ArrayBuffer>]));
    assert.deepEqual(back.shape, [2, 3]);
    assert.deepEqual(Array.from(back.data), Array.from(data));
  });

  it('fetchFashionMNIST gives the same dataset as FashionMNIST.load on the shipped sample, with progress', async () => {
    const base = 'https://example.test/data/fashion-mnist-sample';
    const requests: string[] = [];
    const progress: Array<[number, number | undefined]> = [];
    const fetch = fakeFetch(sampleFiles(`${base}/`), requests);
    for (const train of [true, false]) {
      const node = await FashionMNIST.load({ root: SAMPLE, systemPaths: [], train });
      const web = await fetchFashionMNIST({ baseUrl: base, train, fetch, onProgress: (loaded, total) => progress.push([loaded, total]) });
      assert.equal(web.length, train ? 4000 : 1000);
      assert.equal(web.length, node.length);
      assert.deepEqual(web.targets(), node.targets());
      assert.deepEqual(web.imageShape, [28, 28]);
      assert.equal(Buffer.compare(Buffer.from(web.images.data.buffer), Buffer.from(node.images.data.buffer)), 0);
      for (const k of [0, 1, web.length - 1]) assert.deepEqual(web.get(k), node.get(k));
    }
    assert.deepEqual(web0Label(await fetchFashionMNIST({ baseUrl: `${base}/`, train: false, fetch })), 9, 'the first test image is an ankle boot');
    assert.deepEqual(requests.slice(0, 4), [
      `${base}/train-images-idx3-ubyte.gz`,
      `${base}/train-labels-idx1-ubyte.gz`,
      `${base}/t10k-images-idx3-ubyte.gz`,
      `${base}/t10k-labels-idx1-ubyte.gz`,
    ]);
    const trainTotal = readFileSync(join(SAMPLE, 'train-images-idx3-ubyte.gz')).length + readFileSync(join(SAMPLE, 'train-labels-idx1-ubyte.gz')).length;
    assert.ok(progress.length >= 4, `progress reported ${progress.length} times`);
    assert.ok(progress.some(([loaded, total]) => loaded === trainTotal && total === trainTotal), 'both train files counted in one total');
  });

  it('readMnistBlobs builds the dataset from two picked files', async () => {
    const file = (name: string) => new File([readFileSync(join(SAMPLE, name))], name);
    const ds = await readMnistBlobs(file('t10k-images-idx3-ubyte.gz'), file('t10k-labels-idx1-ubyte.gz'));
    const node = await FashionMNIST.load({ root: SAMPLE, systemPaths: [], train: false });
    assert.equal(ds.length, 1000);
    assert.deepEqual(ds.get(500), node.get(500));
    assert.match(ds.toString(), /t10k-images-idx3-ubyte\.gz \+ t10k-labels-idx1-ubyte\.gz/);
    const spec = ds.workerSpec!();
    assert.deepEqual([spec.modulePath, spec.exportName, (spec.args![0] as File).name], ['lightning-ts:browser-datasets', 'readMnistBlobs', 't10k-images-idx3-ubyte.gz']);
    const fetched = await fetchFashionMNIST({ baseUrl: 'https://example.test/d/', train: false, fetch: fakeFetch(sampleFiles('https://example.test/d/')) });
    assert.equal(fetched.workerSpec, undefined, 'a custom fetch cannot be sent to a worker');
    const transformed = await readMnistBlobs(file('t10k-images-idx3-ubyte.gz'), file('t10k-labels-idx1-ubyte.gz'), { transform: (im) => im.data.length });
    assert.deepEqual([transformed.get(3)[0], transformed.workerSpec], [784, undefined]);
  });

  it('a failed fetch is a FetchError with the URL and the HTTP status', async () => {
    const fetch = fakeFetch({});
    await assert.rejects(fetchIdx('https://example.test/missing.gz', { fetch }), (error: unknown) => {
      assert.ok(error instanceof FetchError);
      assert.equal(error.status, 404);
      assert.match(error.message, /Could not fetch https:\/\/example\.test\/missing\.gz: HTTP 404 Not Found\./);
      assert.match(error.message, /hint: /);
      return true;
    });
    const forbidden = () => Promise.resolve(new Response('', { status: 403 }));
    await assert.rejects(fetchBytes('/x', { fetch: forbidden }), /HTTP 403\.\n {2}hint: .*CORS/);
    const offline = () => Promise.reject(new TypeError('fetch failed'));
    await assert.rejects(fetchFashionMNIST({ baseUrl: 'data/', fetch: offline }), (error: unknown) => {
      assert.ok(error instanceof FetchError);
      assert.equal(error.status, undefined);
      assert.match(error.message, /Could not fetch data\/train-(images|labels)-idx\d-ubyte\.gz: fetch failed\./);
      return true;
    });
  });

  it('damaged gzip, gzip bombs and bad IDX bytes are CorruptFileErrors naming the file', async () => {
    const gz = await gzip(encodeIdx({ dtype: 'uint8', shape: [4096], data: new Uint8Array(4096) }));
    await assert.rejects(readIdxBlob(new File([gz.slice(0, gz.length - 12)], 'cut.gz')), (error: unknown) => {
      assert.ok(error instanceof CorruptFileError);
      assert.match(error.message, /^cut\.gz is a damaged gzip file/);
      return true;
    });
    await assert.rejects(maybeGunzip(gz, 'bomb.gz', { maxDecompressedBytes: 1000 }), /bomb\.gz decompresses to more than 1000 bytes/);
    assert.equal((await maybeGunzip(gz, 'ok.gz', { maxDecompressedBytes: 4104 })).length, 4104);
    await assert.rejects(readIdxBlob(new File([new Uint8Array([0, 0, 8, 1, 0, 0, 0, 9, 1])], 'short-idx1-ubyte')), /short-idx1-ubyte is not a valid IDX file: .*truncated/);
    await assert.rejects(readIdxBlob(new Blob([new Uint8Array(3)])), /Blob \(3 bytes\) is not a valid IDX file/);
    const saved = globalThis.DecompressionStream;
    try {
      Reflect.deleteProperty(globalThis, 'DecompressionStream');
      await assert.rejects(maybeGunzip(gz, 'old.gz'), (e: unknown) => e instanceof BackendError && /old\.gz is gzip-compressed, and this browser has no DecompressionStream/.test(e.message));
      assert.equal((await maybeGunzip(new Uint8Array([0, 0, 8]), 'raw')).length, 3, 'raw bytes need no DecompressionStream');
    } finally {
      globalThis.DecompressionStream = saved;
    }
  });

  it('CSV from a fetched file or a Blob (plain or gzip) equals loadCsvDataset on the same text', async () => {
    const text = 'a,b,species,y\n1.5,2,setosa,0\n"3",4.25,virginica,1\n-1,0,setosa,1\n';
    const dir = mkdtempSync(join(tmpdir(), 'csv-'));
    writeFileSync(join(dir, 'd.csv'), text);
    const options = { target: 'y' };
    const node = await loadCsvDataset(join(dir, 'd.csv'), options);
    const bytes = new TextEncoder().encode(text);
    const fetch = fakeFetch({ 'https://example.test/d.csv': bytes, 'https://example.test/d.csv.gz': await gzip(bytes) });
    const datasets = [
      await fetchCsvDataset('https://example.test/d.csv', { ...options, fetch }),
      await fetchCsvDataset('https://example.test/d.csv.gz', { ...options, fetch }),
      await readCsvBlob(new File([bytes], 'd.csv'), options),
    ];
    for (const ds of datasets) {
      assert.equal(ds.length, 3);
      assert.deepEqual(ds.featureNames, node.featureNames);
      assert.deepEqual(ds.types, node.types);
      assert.deepEqual(ds.categories, { species: ['setosa', 'virginica'] });
      for (let i = 0; i < 3; i++) assert.deepEqual(ds.get(i), node.get(i));
    }
    assert.deepEqual(Array.from((datasets[0]!.get(1) as [{ data: Float32Array }, unknown])[0].data), [3, 4.25, 1]);
    assert.deepEqual(datasets[2]!.workerSpec!(), { modulePath: 'lightning-ts:browser-datasets', exportName: 'readCsvBlob', args: [datasets[2]!.workerSpec!().args![0], { source: 'd.csv', target: 'y' }] });
    assert.equal(datasets[0]!.workerSpec, undefined);
    await assert.rejects(readCsvBlob(new File(['a,b\n1\n'], 'bad.csv')), /bad\.csv, line 2: 1 fields, but the header has 2/);
    await assert.rejects(fetchCsvDataset('https://example.test/d.csv', { target: 'nope', fetch }), (e: unknown) => e instanceof MisconfigurationError && /https:\/\/example\.test\/d\.csv has no column "nope"/.test(e.message));
  });

  it('uses no Node built-ins, process or Buffer (it runs in a browser)', () => {
    for (const file of readdirSync(BROWSER_SRC).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(join(BROWSER_SRC, file), 'utf8');
      assert.doesNotMatch(source, /from '(node:|fs|path|os|zlib|worker_threads)/, file);
      assert.doesNotMatch(source, /\b(process|Buffer|require)\b[.(]/, file);
    }
  });
});

function web0Label(ds: { get(i: number): [unknown, number] }): number {
  return ds.get(0)[1];
}
