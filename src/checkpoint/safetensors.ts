/**
 * The safetensors layout, on plain bytes (no Node or TF.js imports): an 8-byte little-endian header length, a
 * UTF-8 JSON header (`name → {dtype, shape, data_offsets}` plus an optional string map `__metadata__`), then the
 * tensors' little-endian bytes. Reading validates every field before it allocates anything.
 */
import { CorruptFileError } from '../errors.js';

/** Element types of the safetensors format and their size in bytes. */
export const SAFETENSORS_DTYPE_BYTES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
} as const;

/** A safetensors element type (`"F32"`, `"I64"`, ...). */
export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPE_BYTES;

/** One tensor of a safetensors file: its element type, shape and raw little-endian bytes. */
export interface RawTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  bytes: Uint8Array;
}

/** What `decodeSafetensors` found: tensors in file order and the `__metadata__` string map. */
export interface SafetensorsContents {
  tensors: Map<string, RawTensor>;
  metadata: Record<string, string>;
}

/** Limits `decodeSafetensors` enforces against hostile files. */
export interface SafetensorsLimits {
  /** Largest JSON header accepted, in bytes. Default: 100 MB (the reference implementation's limit). */
  maxHeaderBytes?: number;
  /** Most tensors accepted in one file. Default: 1,000,000. */
  maxTensors?: number;
  /** Largest rank accepted for one tensor. Default: 32. */
  maxRank?: number;
}

const DEFAULT_MAX_HEADER_BYTES = 100_000_000;
const HEADER_ALIGNMENT = 8;

function isDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && Object.hasOwn(SAFETENSORS_DTYPE_BYTES, value);
}

const isLittleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Swap each `size`-byte element of `bytes` in place between host and little-endian order (a no-op on little-endian hosts). */
export function toHostOrder<T extends Uint8Array>(bytes: T, size: number): T {
  if (isLittleEndianHost || size === 1) return bytes;
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
  return bytes;
}

/** The raw form of float32 or int32 values (for tools and tests that build files without TF.js). */
export function typedArrayToRaw(values: Float32Array | Int32Array, shape: number[]): RawTensor {
  const expected = numElements(shape);
  if (expected !== values.length) {
    throw new CorruptFileError(`Shape [${shape.join(', ')}] needs ${expected} values, got ${values.length}.`, 'Pass values matching the shape.');
  }
  const bytes = new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  return { dtype: values instanceof Float32Array ? 'F32' : 'I32', shape, bytes: toHostOrder(bytes, 4) };
}

/** Number of elements of `shape` (1 for a scalar). */
export function numElements(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** Order tensors are written in: larger element types first (keeps every tensor aligned), then by name. */
function writeOrder(names: string[], tensors: Record<string, RawTensor>): string[] {
  return [...names].sort((a, b) => {
    const sa = SAFETENSORS_DTYPE_BYTES[tensors[a]!.dtype];
    const sb = SAFETENSORS_DTYPE_BYTES[tensors[b]!.dtype];
    return sb - sa || (a < b ? -1 : a > b ? 1 : 0);
  });
}

/**
 * Encode tensors and a string metadata map as one safetensors file. The header is padded with spaces so the data
 * starts on an 8-byte boundary, as the reference writer does.
 */
export function encodeSafetensors(tensors: Record<string, RawTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of writeOrder(Object.keys(tensors), tensors)) {
    const t = tensors[name]!;
    if (name === '__metadata__') throw new CorruptFileError('A tensor cannot be named "__metadata__".', 'Rename the tensor.');
    const expected = numElements(t.shape) * SAFETENSORS_DTYPE_BYTES[t.dtype];
    if (t.bytes.byteLength !== expected) {
      throw new CorruptFileError(
        `Tensor "${name}" has ${t.bytes.byteLength} bytes, but shape [${t.shape.join(', ')}] of ${t.dtype} needs ${expected}.`,
        'Pass the tensor data that matches its shape and dtype.',
      );
    }
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + expected] };
    offset += expected;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.byteLength / HEADER_ALIGNMENT) * HEADER_ALIGNMENT;
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.byteLength, 8 + padded);
  let cursor = 8 + padded;
  for (const name of writeOrder(Object.keys(tensors), tensors)) {
    const bytes = tensors[name]!.bytes;
    out.set(bytes, cursor);
    cursor += bytes.byteLength;
  }
  return out;
}

function corrupt(what: string, hint = 'The file is truncated or was not written by a safetensors writer; re-save it.'): CorruptFileError {
  return new CorruptFileError(`Invalid safetensors file: ${what}.`, hint);
}

function readHeaderLength(bytes: Uint8Array, maxHeaderBytes: number): number {
  if (bytes.byteLength < 8) throw corrupt(`it has ${bytes.byteLength} bytes, fewer than the 8-byte header length`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(bytes.byteLength - 8)) {
    throw corrupt(`the header length is ${n} bytes, but only ${bytes.byteLength - 8} bytes follow it`);
  }
  if (n > BigInt(maxHeaderBytes)) {
    throw corrupt(`the header length ${n} exceeds the limit of ${maxHeaderBytes} bytes`, 'Raise limits.maxHeaderBytes if you trust this file.');
  }
  if (n < 2n) throw corrupt(`the header length is ${n}, too short for a JSON object`);
  return Number(n);
}

function parseHeader(bytes: Uint8Array, length: number): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + length));
  } catch (cause) {
    throw new CorruptFileError('Invalid safetensors file: the header is not valid UTF-8.', 'Re-save the file.', { cause });
  }
  if (!text.startsWith('{')) throw corrupt('the header does not start with "{"');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new CorruptFileError(
      `Invalid safetensors file: the header is not valid JSON (${(cause as Error).message}).`,
      'The file is truncated or corrupt; re-save it.',
      { cause },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw corrupt('the header is not a JSON object');
  return parsed as Record<string, unknown>;
}

function parseMetadata(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw corrupt('"__metadata__" is not an object');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw corrupt(`"__metadata__.${k}" is not a string (safetensors metadata values are strings)`);
    out[k] = v;
  }
  return out;
}

interface Entry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

function parseEntry(name: string, value: unknown, dataBytes: number, maxRank: number): Entry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw corrupt(`the entry of tensor "${name}" is not an object`);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (!isDtype(dtype)) {
    throw corrupt(
      `tensor "${name}" has unknown dtype ${JSON.stringify(dtype)}`,
      `Known dtypes: ${Object.keys(SAFETENSORS_DTYPE_BYTES).join(', ')}.`,
    );
  }
  if (!Array.isArray(shape) || shape.length > maxRank || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw corrupt(`tensor "${name}" has an invalid shape ${JSON.stringify(shape)} (expected up to ${maxRank} non-negative integers)`);
  }
  const isOffset = (o: unknown): o is number => Number.isSafeInteger(o) && (o as number) >= 0;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !isOffset(offsets[0]) || !isOffset(offsets[1])) {
    throw corrupt(`tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)} (expected [begin, end])`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataBytes) {
    throw corrupt(`tensor "${name}" has data_offsets [${begin}, ${end}] outside the ${dataBytes} data bytes of the file`);
  }
  // Compare in BigInt: a hostile shape's product can exceed 2^53.
  const needed = (shape as number[]).reduce((n, d) => n * BigInt(d), 1n) * BigInt(SAFETENSORS_DTYPE_BYTES[dtype]);
  if (needed !== BigInt(end - begin)) {
    throw corrupt(`tensor "${name}" of shape [${(shape as number[]).join(', ')}] and dtype ${dtype} needs ${needed} bytes, its data_offsets span ${end - begin}`);
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

/**
 * Decode a safetensors file. Validates the header length, JSON, each entry's dtype, shape and offsets, and that
 * the tensors tile the data section exactly (no gaps, overlaps or trailing bytes); throws `CorruptFileError`
 * otherwise. The returned tensors' bytes are copies (aligned, independent of `bytes`).
 */
export function decodeSafetensors(bytes: Uint8Array, limits: SafetensorsLimits = {}): SafetensorsContents {
  const maxHeaderBytes = limits.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  const maxTensors = limits.maxTensors ?? 1_000_000;
  const maxRank = limits.maxRank ?? 32;
  const headerLength = readHeaderLength(bytes, maxHeaderBytes);
  const header = parseHeader(bytes, headerLength);
  const dataStart = 8 + headerLength;
  const dataBytes = bytes.byteLength - dataStart;
  const metadata = parseMetadata(header.__metadata__);
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  if (names.length > maxTensors) throw corrupt(`it declares ${names.length} tensors, more than the limit of ${maxTensors}`, 'Raise limits.maxTensors if you trust this file.');
  const entries = names.map((name) => parseEntry(name, header[name], dataBytes, maxRank));
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expectedBegin = 0;
  for (const e of sorted) {
    if (e.begin !== expectedBegin) {
      throw corrupt(
        e.begin < expectedBegin
          ? `tensor "${e.name}" overlaps the previous tensor (data_offsets begin at ${e.begin}, previous ends at ${expectedBegin})`
          : `there is a gap in the data before tensor "${e.name}" (bytes ${expectedBegin}..${e.begin} belong to no tensor)`,
      );
    }
    expectedBegin = e.end;
  }
  if (expectedBegin !== dataBytes) {
    throw corrupt(`the tensors cover ${expectedBegin} data bytes, but the file has ${dataBytes}`);
  }
  const tensors = new Map<string, RawTensor>();
  for (const e of entries) {
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, bytes: bytes.slice(dataStart + e.begin, dataStart + e.end) });
  }
  return { tensors, metadata };
}
