/**
 * Conversions between TF.js tensors and safetensors' raw little-endian bytes. TF.js has float32, int32 and bool:
 * wider or narrower types from PyTorch load as the nearest of those (int64 with a range check, float64/16 and
 * bfloat16 as float32).
 */
import { StateDictError } from '../errors.js';
import { tf } from '../runtime/tf.js';
import type { Tensor } from '../runtime/tf.js';
import { toHostOrder } from './safetensors.js';
import type { RawTensor, SafetensorsDtype } from './safetensors.js';


/** A copy of `bytes` whose buffer starts at offset 0 (so any typed-array view of it is aligned). */
function aligned(bytes: Uint8Array, size: number): ArrayBuffer {
  const copy = new Uint8Array(new ArrayBuffer(bytes.byteLength));
  copy.set(bytes);
  return toHostOrder(copy, size).buffer;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Decode an 8-bit float with `mantissaBits` fraction bits (E4M3 has no infinities; E5M2 follows IEEE rules). */
function fp8ToFloat(b: number, mantissaBits: 3 | 2): number {
  const exponentBits = 7 - mantissaBits;
  const bias = 2 ** (exponentBits - 1) - 1;
  const sign = b & 0x80 ? -1 : 1;
  const exponent = (b >> mantissaBits) & (2 ** exponentBits - 1);
  const fraction = b & (2 ** mantissaBits - 1);
  const scale = 2 ** mantissaBits;
  if (mantissaBits === 3 && exponent === 0xf && fraction === 0x7) return NaN;
  if (mantissaBits === 2 && exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  if (exponent === 0) return sign * 2 ** (1 - bias) * (fraction / scale);
  return sign * 2 ** (exponent - bias) * (1 + fraction / scale);
}

function checkedInt32(name: string, values: ArrayLike<number | bigint>): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v > 2147483647 || v < -2147483648) {
      throw new StateDictError(
        `Tensor "${name}" holds the integer ${v}, outside the int32 range TF.js supports.`,
        'TF.js has no int64; store this value as float or keep it within ±2^31 before saving.',
      );
    }
    out[i] = Number(v);
  }
  return out;
}

/** Decode raw bytes to a plain typed array TF.js accepts, and its TF.js dtype. */
function toTypedArray(name: string, raw: RawTensor): { values: Float32Array | Int32Array | Uint8Array; dtype: 'float32' | 'int32' | 'bool' } {
  const { bytes } = raw;
  switch (raw.dtype) {
    case 'F32':
      return { values: new Float32Array(aligned(bytes, 4)), dtype: 'float32' };
    case 'F64':
      return { values: Float32Array.from(new Float64Array(aligned(bytes, 8))), dtype: 'float32' };
    case 'F16':
      return { values: Float32Array.from(new Uint16Array(aligned(bytes, 2)), halfToFloat), dtype: 'float32' };
    case 'BF16': {
      const halves = new Uint16Array(aligned(bytes, 2));
      const words = Uint32Array.from(halves, (h) => h << 16);
      return { values: new Float32Array(words.buffer), dtype: 'float32' };
    }
    case 'F8_E4M3':
      return { values: Float32Array.from(bytes, (b) => fp8ToFloat(b, 3)), dtype: 'float32' };
    case 'F8_E5M2':
      return { values: Float32Array.from(bytes, (b) => fp8ToFloat(b, 2)), dtype: 'float32' };
    case 'I32':
      return { values: new Int32Array(aligned(bytes, 4)), dtype: 'int32' };
    case 'U32':
      return { values: checkedInt32(name, new Uint32Array(aligned(bytes, 4))), dtype: 'int32' };
    case 'I64':
      return { values: checkedInt32(name, new BigInt64Array(aligned(bytes, 8))), dtype: 'int32' };
    case 'U64':
      return { values: checkedInt32(name, new BigUint64Array(aligned(bytes, 8))), dtype: 'int32' };
    case 'I16':
      return { values: Int32Array.from(new Int16Array(aligned(bytes, 2))), dtype: 'int32' };
    case 'U16':
      return { values: Int32Array.from(new Uint16Array(aligned(bytes, 2))), dtype: 'int32' };
    case 'I8':
      return { values: Int32Array.from(new Int8Array(aligned(bytes, 1))), dtype: 'int32' };
    case 'U8':
      return { values: Int32Array.from(bytes), dtype: 'int32' };
    case 'BOOL':
      return { values: Uint8Array.from(bytes, (b) => (b === 0 ? 0 : 1)), dtype: 'bool' };
  }
}

/**
 * Create a TF.js tensor from a safetensors tensor (float32, int32 or bool; see the file comment for the
 * conversions). The caller owns the returned tensor.
 */
export function rawToTensor(name: string, raw: RawTensor): Tensor {
  const { values, dtype } = toTypedArray(name, raw);
  return tf.tensor(values, raw.shape, dtype);
}

const TF_TO_SAFETENSORS: Partial<Record<string, SafetensorsDtype>> = { float32: 'F32', int32: 'I32', bool: 'BOOL' };

/** Read a TF.js tensor's values into safetensors' raw form (F32, I32 or BOOL). */
export async function tensorToRaw(name: string, tensor: Tensor): Promise<RawTensor> {
  const dtype = TF_TO_SAFETENSORS[tensor.dtype];
  if (dtype === undefined) {
    throw new StateDictError(
      `Tensor "${name}" has dtype ${tensor.dtype}, which a checkpoint cannot store.`,
      'Store float32, int32 or bool tensors (cast complex or string data to a supported form first).',
    );
  }
  if (tensor.isDisposed) {
    throw new StateDictError(`Tensor "${name}" was disposed before it could be saved.`, 'Keep the tensor alive until the checkpoint is written.');
  }
  const values = await tensor.data<'float32' | 'int32' | 'bool'>();
  const bytes = new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  return { dtype, shape: [...tensor.shape], bytes: toHostOrder(bytes, values.BYTES_PER_ELEMENT) };
}
