import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { CorruptFileError } from '../../src/errors.js';
import { encodeIdx, parseIdx } from '../../src/data/idx.js';
import { readIdxFile } from '../../src/data/node/idx-file.js';
import { MnistDataset } from '../../src/data/mnist.js';

const header = (dtype: number, dims: number[]) => {
  const b = new Uint8Array(4 + 4 * dims.length);
  b[2] = dtype;
  b[3] = dims.length;
  dims.forEach((d, i) => new DataView(b.buffer).setUint32(4 + 4 * i, d, false));
  return b;
};
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

describe('IDX reader', () => {
  it('round-trips every element type with big-endian data', () => {
    for (const [dtype, data] of [
      ['uint8', new Uint8Array([0, 7, 255])],
      ['int8', new Int8Array([-128, 0, 127])],
      ['int16', new Int16Array([-300, 2, 30000])],
      ['int32', new Int32Array([-70000, 1, 2 ** 30])],
      ['float32', new Float32Array([0.5, -1.25, 3])],
      ['float64', new Float64Array([Math.PI, -0, 1e300])],
    ] as const) {
      const back = parseIdx(encodeIdx({ dtype, shape: [3], data }), 'x');
      assert.equal(back.dtype, dtype);
      assert.deepEqual(Array.from(back.data), Array.from(data));
    }
    const int32 = encodeIdx({ dtype: 'int32', shape: [1], data: new Int32Array([1]) });
    assert.deepEqual(Array.from(int32.slice(8)), [0, 0, 0, 1], 'big-endian on disk');
  });

  const hostile: Array<[string, Uint8Array, RegExp]> = [
    ['empty file', new Uint8Array(0), /fewer than the 4-byte header/],
    ['bad magic', concat(new Uint8Array([1, 0, 8, 1]), new Uint8Array(4)), /magic number starts with 0x0100/],
    ['unknown dtype', concat(header(0x42, [1]), new Uint8Array(1)), /unknown element type code 0x42/],
    ['rank 0', new Uint8Array([0, 0, 8, 0]), /rank byte is 0/],
    ['header cut short', header(8, [2, 3]).slice(0, 9), /declares 2 dimensions \(12 bytes\)/],
    ['truncated data', concat(header(8, [10, 28, 28]), new Uint8Array(100)), /need 7856 bytes but the file has 116 \(truncated\)/],
    ['trailing bytes', concat(header(8, [2]), new Uint8Array(3)), /trailing bytes/],
    ['absurd dimensions', concat(header(8, [65535, 65535, 65535])), /exceed/],
  ];
  for (const [name, bytes, message] of hostile) {
    it(`rejects ${name} with a CorruptFileError naming the file`, () => {
      assert.throws(
        () => parseIdx(bytes, '/data/evil-idx3-ubyte'),
        (e: unknown) => e instanceof CorruptFileError && e.message.includes('/data/evil-idx3-ubyte') && message.test(e.message),
      );
    });
  }

  it('rejects a truncated or corrupted .gz file clearly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idx-'));
    const gz = gzipSync(encodeIdx({ dtype: 'uint8', shape: [1000], data: new Uint8Array(1000).map((_, i) => i * 7) }));
    const cut = join(dir, 'cut.gz');
    writeFileSync(cut, gz.subarray(0, gz.length - 10));
    await assert.rejects(readIdxFile(cut), (e: unknown) => e instanceof CorruptFileError && e.message.includes(cut) && /damaged gzip/.test(e.message));
    const flipped = Uint8Array.from(gz);
    flipped[20] = (flipped[20] ?? 0) ^ 0xff;
    writeFileSync(join(dir, 'bad.gz'), flipped);
    await assert.rejects(readIdxFile(join(dir, 'bad.gz')), CorruptFileError);
    writeFileSync(join(dir, 'raw'), encodeIdx({ dtype: 'uint8', shape: [2, 2], data: new Uint8Array([1, 2, 3, 4]) }));
    assert.deepEqual((await readIdxFile(join(dir, 'raw'))).shape, [2, 2], 'raw (uncompressed) files are read too');
  });

  it('MnistDataset refuses images and labels that do not match', () => {
    const images = { dtype: 'uint8' as const, shape: [3, 2, 2], data: new Uint8Array(12) };
    assert.throws(() => new MnistDataset(images, { dtype: 'uint8', shape: [4], data: new Uint8Array(4) }), /expected 3 uint8 labels/);
    assert.throws(() => new MnistDataset({ ...images, shape: [12] }, { dtype: 'uint8', shape: [12], data: new Uint8Array(12) }), /shape \[N, H, W\]/);
  });

  it('reads the shipped sample: the same bytes as the first images of Debian\'s files', async () => {
    const sample = await readIdxFile(new URL('../../data/fashion-mnist-sample/t10k-images-idx3-ubyte.gz', import.meta.url).pathname);
    assert.deepEqual(sample.shape, [1000, 28, 28]);
    const debian = '/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz';
    let full: Uint8Array | undefined;
    try {
      full = readFileSync(debian);
    } catch {
      return; // not installed on this machine: the shipped sample alone is checked
    }
    const parsed = await readIdxFile(debian);
    assert.deepEqual(parsed.shape, [10000, 28, 28]);
    assert.ok(full.length > 0);
    assert.deepEqual(parsed.data.subarray(0, 1000 * 784), sample.data);
  });
});
