import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CorruptFileError } from '../../src/errors.js';
import { DatasetNotFoundError } from '../../src/data/errors.js';
import { md5Hex } from '../../src/data/node/download.js';
import { DEBIAN_FASHION_MNIST_DIR, FashionMNIST, MNIST, shippedSampleDir } from '../../src/data/node/mnist.js';
import { setWarningSink } from '../../src/utilities/warnings.js';

const SAMPLE = new URL('../../data/fashion-mnist-sample/', import.meta.url).pathname;
const hasDebian = existsSync(join(DEBIAN_FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz'));

describe('Fashion-MNIST / MNIST loading', () => {
  let server: Server;
  let baseUrl: string;
  let requests: string[] = [];
  before(async () => {
    setWarningSink(() => undefined);
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const file = join(SAMPLE, (req.url ?? '/').slice(1));
      if (!existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200).end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const md5Of = (name: string) => md5Hex(readFileSync(join(SAMPLE, name)));

  it('falls back to the shipped sample: 4000 train / 1000 test images, [1, 28, 28] floats in [0, 1]', async () => {
    assert.equal(shippedSampleDir(), SAMPLE.replace(/\/$/, ''));
    const train = await FashionMNIST.load({ systemPaths: [], cacheDir: mkdtempSync(join(tmpdir(), 'fm-')) });
    const test = await FashionMNIST.load({ train: false, systemPaths: [], cacheDir: mkdtempSync(join(tmpdir(), 'fm-')) });
    assert.equal(train.length, 4000);
    assert.equal(test.length, 1000);
    const [image, label] = test.get(0);
    assert.deepEqual(image.shape, [1, 28, 28]);
    assert.ok(image.data instanceof Float32Array);
    assert.ok(Math.max(...image.data) <= 1 && Math.min(...image.data) >= 0);
    assert.equal(label, 9); // the first test image is an ankle boot
    assert.deepEqual(train.targets().slice(0, 6), [9, 0, 0, 3, 0, 2]);
  });

  it('reads Debian\'s dataset-fashion-mnist files (60000 / 10000)', { skip: !hasDebian && 'dataset-fashion-mnist is not installed' }, async () => {
    const train = await FashionMNIST.load({ sample: false });
    assert.equal(train.length, 60000);
    assert.equal(train.source, DEBIAN_FASHION_MNIST_DIR);
    const test = await FashionMNIST.load({ train: false, sample: false });
    assert.equal(test.length, 10000);
    const fromSample = await FashionMNIST.load({ train: false, systemPaths: [], cacheDir: mkdtempSync(join(tmpdir(), 'fm-')) });
    assert.deepEqual(test.get(999), fromSample.get(999), 'the sample holds the first test images');
  });

  it('errors list every path tried and how to get the data', async () => {
    await assert.rejects(
      FashionMNIST.load({ root: '/nowhere/fm', systemPaths: ['/also/not/here'], cacheDir: '/no/cache', sample: false }),
      (e: unknown) =>
        e instanceof DatasetNotFoundError &&
        ['/nowhere/fm', '/also/not/here', '/no/cache'].every((p) => e.message.includes(p)) &&
        e.message.includes('apt-get install dataset-fashion-mnist') &&
        e.message.includes('download: true'),
    );
  });

  it('downloads with checksums into the cache (local server), then reuses the cache', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'mnist-dl-'));
    const mirror = { baseUrl, md5: { 't10k-images-idx3-ubyte.gz': md5Of('t10k-images-idx3-ubyte.gz'), 't10k-labels-idx1-ubyte.gz': md5Of('t10k-labels-idx1-ubyte.gz') } };
    requests = [];
    const ds = await MNIST.load({ train: false, download: true, cacheDir, mirror });
    assert.equal(ds.length, 1000);
    assert.deepEqual(requests.sort(), ['/t10k-images-idx3-ubyte.gz', '/t10k-labels-idx1-ubyte.gz']);
    assert.deepEqual(readdirSync(cacheDir).sort(), ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'], 'no temporary files left');
    requests = [];
    await MNIST.load({ train: false, download: true, cacheDir, mirror });
    assert.deepEqual(requests, [], 'second load reads the cache');
  });

  it('a checksum mismatch is an error and nothing is saved', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'mnist-bad-'));
    const mirror = { baseUrl, md5: { 't10k-images-idx3-ubyte.gz': '0'.repeat(32), 't10k-labels-idx1-ubyte.gz': md5Of('t10k-labels-idx1-ubyte.gz') } };
    await assert.rejects(
      MNIST.load({ train: false, download: true, cacheDir, mirror }),
      (e: unknown) => e instanceof CorruptFileError && /has MD5 [0-9a-f]{32}, expected 0{32}; it was not saved/.test(e.message),
    );
    assert.deepEqual(readdirSync(cacheDir), []);
  });

  it('a missing file on the mirror is a DownloadError naming the URL', async () => {
    const mirror = { baseUrl: `${baseUrl}missing/`, md5: { 't10k-images-idx3-ubyte.gz': 'x', 't10k-labels-idx1-ubyte.gz': 'y' } };
    await assert.rejects(MNIST.load({ train: false, download: true, cacheDir: mkdtempSync(join(tmpdir(), 'm-')), mirror }), /Could not download http:\/\/127\.0\.0\.1:\d+\/missing\/t10k-images-idx3-ubyte\.gz: HTTP 404/);
  });
});
