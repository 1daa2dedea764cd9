/**
 * A small, strict reader of the IDX format (MNIST, Fashion-MNIST): 2 zero bytes, a dtype byte, a rank byte, one
 * big-endian uint32 per dimension, then the big-endian data. Every inconsistency — bad magic, unknown dtype, a size
 * that does not match the dimensions — is a `CorruptFileError` naming the file, never a hang or a wrong shape.
 */
import { CorruptFileError } from '../errors.js';

/** IDX element types by their code byte. */
const IDX_DTYPES = {
  0x08: { name: 'uint8', size: 1 },
  0x09: { name: 'int8', size: 1 },
  0x0b: { name: 'int16', size: 2 },
  0x0c: { name: 'int32', size: 4 },
  0x0d: { name: 'float32', size: 4 },
  0x0e: { name: 'float64', size: 8 },
} as const;

/** The element type names of IDX files. */
export type IdxDtype = (typeof IDX_DTYPES)[keyof typeof IDX_DTYPES]['name'];

/** A decoded IDX array. */
export interface IdxArray {
  dtype: IdxDtype;
  shape: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const MAX_ELEMENTS = 2 ** 31 - 1;

/** Decode IDX bytes (already decompressed). `source` names the file in error messages. */
export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  const fail = (what: string): never => {
    throw new CorruptFileError(
      `${source} is not a valid IDX file: ${what}.`,
      'Re-download the file (or reinstall it with `apt-get install dataset-fashion-mnist`); it may be truncated or not an IDX file.',
    );
  };
  if (bytes.length < 4) fail(`it has ${bytes.length} bytes, fewer than the 4-byte header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) fail(`the magic number starts with 0x${hex(bytes[0])}${hex(bytes[1])} instead of 0x0000`);
  const code = bytes[2] as number;
  const type = (IDX_DTYPES as Record<number, (typeof IDX_DTYPES)[keyof typeof IDX_DTYPES] | undefined>)[code];
  if (type === undefined) return fail(`unknown element type code 0x${hex(code)}`);
  const rank = bytes[3] as number;
  if (rank === 0) fail('the rank byte is 0');
  const headerSize = 4 + 4 * rank;
  if (bytes.length < headerSize) fail(`the header declares ${rank} dimensions (${headerSize} bytes) but the file has only ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let d = 0; d < rank; d++) {
    const dim = view.getUint32(4 + 4 * d, false);
    shape.push(dim);
    count *= dim;
    if (count > MAX_ELEMENTS) fail(`the dimensions [${shape.join(', ')}...] exceed ${MAX_ELEMENTS} elements`);
  }
  const expected = headerSize + count * type.size;
  if (bytes.length !== expected) {
    fail(
      `dimensions [${shape.join(', ')}] of ${type.name} need ${expected} bytes but the file has ${bytes.length}` +
        (bytes.length < expected ? ' (truncated)' : ' (trailing bytes)'),
    );
  }
  return { dtype: type.name, shape, data: decode(view, headerSize, count, type.name) };
}

function hex(b: number | undefined): string {
  return (b ?? 0).toString(16).padStart(2, '0');
}

function decode(view: DataView, offset: number, count: number, dtype: IdxDtype): IdxArray['data'] {
  const start = view.byteOffset + offset;
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(view.buffer.slice(start, start + count));
    case 'int8':
      return new Int8Array(view.buffer.slice(start, start + count));
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

/** Encode an array as IDX bytes (for writing samples and tests). */
export function encodeIdx(array: IdxArray): Uint8Array {
  const code = Number(Object.entries(IDX_DTYPES).find(([, t]) => t.name === array.dtype)?.[0]);
  const size = IDX_DTYPES[code as keyof typeof IDX_DTYPES].size;
  const header = 4 + 4 * array.shape.length;
  const out = new Uint8Array(header + array.data.length * size);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = array.shape.length;
  array.shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < array.data.length; i++) {
    const v = array.data[i] as number;
    const at = header + i * size;
    if (array.dtype === 'uint8') view.setUint8(at, v);
    else if (array.dtype === 'int8') view.setInt8(at, v);
    else if (array.dtype === 'int16') view.setInt16(at, v, false);
    else if (array.dtype === 'int32') view.setInt32(at, v, false);
    else if (array.dtype === 'float32') view.setFloat32(at, v, false);
    else view.setFloat64(at, v, false);
  }
  return out;
}
