import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeSafetensors, encodeSafetensors, typedArrayToRaw } from '../../src/checkpoint/safetensors.js';
import type { RawTensor } from '../../src/checkpoint/safetensors.js';
import { CorruptFileError } from '../../src/errors.js';

/** Build a file from a header object and data bytes exactly as given (for hostile inputs). */
function rawFile(header: unknown, data: Uint8Array = new Uint8Array(0), headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function sample(): Record<string, RawTensor> {
  return {
    'layer.weight': typedArrayToRaw(new Float32Array([1, -2, 3.5, 0.25, 1e-30, -0]), [2, 3]),
    count: typedArrayToRaw(new Int32Array([-7]), []),
    flags: { dtype: 'BOOL', shape: [3], bytes: new Uint8Array([1, 0, 1]) },
    wide: { dtype: 'F64', shape: [1], bytes: new Uint8Array(new Float64Array([Math.PI]).buffer) },
  };
}

function expectCorrupt(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(
    () => decodeSafetensors(bytes),
    (e: unknown) => e instanceof CorruptFileError && pattern.test(e.message) && e.hint !== undefined,
  );
}

describe('safetensors layout', () => {
  it('round-trips tensors and metadata bit for bit, header padded to 8 bytes, larger dtypes first', () => {
    const file = encodeSafetensors(sample(), { format: 'pt', note: 'x' });
    const headerLength = Number(new DataView(file.buffer).getBigUint64(0, true));
    assert.equal(headerLength % 8, 0);
    const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + headerLength))) as Record<string, { data_offsets: number[] }>;
    assert.deepEqual(Object.keys(header), ['__metadata__', 'wide', 'count', 'layer.weight', 'flags']);
    assert.deepEqual(header.count!.data_offsets, [8, 12]);
    const { tensors, metadata } = decodeSafetensors(file);
    assert.deepEqual(metadata, { format: 'pt', note: 'x' });
    for (const [name, t] of Object.entries(sample())) {
      const got = tensors.get(name)!;
      assert.equal(got.dtype, t.dtype);
      assert.deepEqual(got.shape, t.shape);
      assert.deepEqual([...got.bytes], [...t.bytes], name);
    }
  });

  it('handles empty files of tensors, scalars and zero-size tensors', () => {
    const empty = decodeSafetensors(encodeSafetensors({}));
    assert.equal(empty.tensors.size, 0);
    const zero = decodeSafetensors(encodeSafetensors({ z: { dtype: 'F32', shape: [0, 4], bytes: new Uint8Array(0) } }));
    assert.deepEqual(zero.tensors.get('z')!.shape, [0, 4]);
  });

  it('refuses to encode data that does not match its shape', () => {
    assert.throws(() => encodeSafetensors({ a: { dtype: 'F32', shape: [3], bytes: new Uint8Array(8) } }), /needs 12/);
  });

  it('rejects a truncated file at every cut point with a CorruptFileError', () => {
    const file = encodeSafetensors(sample(), { format: 'pt' });
    for (let cut = 0; cut < file.length; cut++) {
      assert.throws(() => decodeSafetensors(file.subarray(0, cut)), CorruptFileError, `cut at ${cut}`);
    }
    expectCorrupt(file.subarray(0, 5), /fewer than the 8-byte header length/);
    expectCorrupt(file.subarray(0, file.length - 1), /data_offsets \[36, 39\] outside the 38 data bytes/);
    const padded = new Uint8Array(file.length + 3);
    padded.set(file);
    expectCorrupt(padded, /the tensors cover 39 data bytes, but the file has 42/);
  });

  it('rejects a header length larger than the file or the limit', () => {
    const file = encodeSafetensors(sample());
    const bad = file.slice();
    new DataView(bad.buffer).setBigUint64(0, 2n ** 63n, true);
    expectCorrupt(bad, /header length is 9223372036854775808 bytes, but only/);
    assert.throws(() => decodeSafetensors(file, { maxHeaderBytes: 16 }), /exceeds the limit of 16 bytes/);
  });

  it('rejects offsets outside the file, overlaps, gaps and wrong byte counts', () => {
    const data = new Uint8Array(16);
    expectCorrupt(rawFile({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 1_000_000] } }, data), /outside the 16 data bytes/);
    expectCorrupt(rawFile({ a: { dtype: 'F32', shape: [4], data_offsets: [8, 4] } }, data), /outside/);
    expectCorrupt(rawFile({ a: { dtype: 'F32', shape: [4], data_offsets: [-4, 12] } }, data), /invalid data_offsets/);
    expectCorrupt(rawFile({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 16] } }, data), /needs 12 bytes, its data_offsets span 16/);
    expectCorrupt(
      rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, data),
      /overlaps/,
    );
    expectCorrupt(rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } }, data), /gap in the data before tensor "a"/);
    expectCorrupt(rawFile({ a: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 16] } }, data), /needs \d+ bytes/);
  });

  it('rejects unknown dtypes, bad shapes and malformed entries', () => {
    const data = new Uint8Array(4);
    expectCorrupt(rawFile({ a: { dtype: 'Q7', shape: [1], data_offsets: [0, 4] } }, data), /unknown dtype "Q7"/);
    expectCorrupt(rawFile({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, data), /invalid shape/);
    expectCorrupt(rawFile({ a: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, data), /invalid shape/);
    expectCorrupt(rawFile({ a: { dtype: 'F32', shape: new Array(40).fill(1), data_offsets: [0, 4] } }, data), /invalid shape/);
    expectCorrupt(rawFile({ a: [1, 2] }, data), /entry of tensor "a" is not an object/);
  });

  it('rejects non-JSON headers and non-string metadata', () => {
    expectCorrupt(rawFile(null, new Uint8Array(0), '{"a": '), /not valid JSON/);
    expectCorrupt(rawFile(null, new Uint8Array(0), '[1, 2, 3]'), /does not start with "\{"/);
    expectCorrupt(rawFile(null, new Uint8Array(0), '{"x":1}\xff'), /not valid JSON/);
    const invalidUtf8 = rawFile(null, new Uint8Array(0), '{}  ');
    invalidUtf8[10] = 0xff;
    expectCorrupt(invalidUtf8, /not valid UTF-8/);
    expectCorrupt(rawFile({ __metadata__: { epoch: 3 } }), /"__metadata__.epoch" is not a string/);
  });
});
