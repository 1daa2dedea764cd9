/**
 * The tensor-free half of the default collate: stacks a list of samples into typed-array leaves with a shape and a
 * dtype. It runs wherever samples are produced (the main thread or a worker), so it imports no TF.js; the leaves
 * are transferable and become tensors on the main thread (`collate.ts`).
 *
 * Rules, applied recursively and identically to every sample:
 * - numbers → `int32` if every value in the batch is an integer, else `float32`; booleans → `bool`;
 * - typed arrays (1-D) and `{ data, shape }` arrays → stacked with a leading batch dimension; float typed arrays
 *   give `float32`, integer ones (including `Uint8Array`) `int32` — TF.js has no int64/uint8;
 * - plain arrays of numbers, or of equally-shaped such arrays ("nested arrays") → stacked numeric arrays;
 * - other plain arrays (tuples such as `[image, label]`) → an array of collated columns; plain objects → per key;
 * - anything else (strings, null) → the list of values, unchanged.
 */
import { CollateError } from './errors.js';

/** Dtypes the default collate produces. */
export type CollatedDtype = 'float32' | 'int32' | 'bool';

/** A stacked batch leaf: typed-array data with its full shape (batch dimension first). */
export interface ArrayLeaf {
  readonly __lightningArray: true;
  dtype: CollatedDtype;
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array;
}

/** A collated batch before tensors are made: leaves nested in arrays and objects. */
export type ArrayTree = ArrayLeaf | ArrayTree[] | { [key: string]: ArrayTree } | unknown[];

type TypedArray = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint8ClampedArray | Uint16Array | Uint32Array;

/** Whether `value` is a leaf produced by `collateArrays`. */
export function isArrayLeaf(value: unknown): value is ArrayLeaf {
  return typeof value === 'object' && value !== null && (value as Partial<ArrayLeaf>).__lightningArray === true;
}

function isTypedArray(value: unknown): value is TypedArray {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

interface Numeric {
  data: ArrayLike<number>;
  shape: number[];
  kind: 'float' | 'int' | 'bool' | 'number';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Nested plain arrays of numbers → flat data + shape, or undefined if not rectangular numeric. */
function nestedNumeric(value: unknown[]): Numeric | undefined {
  if (value.length === 0) return undefined;
  if (value.every((v) => typeof v === 'number')) return { data: value, shape: [value.length], kind: 'number' };
  if (!value.every((v) => Array.isArray(v))) return undefined;
  const parts = (value as unknown[][]).map(nestedNumeric);
  const first = parts[0];
  if (first === undefined || parts.some((p) => p === undefined || p.shape.join() !== first.shape.join())) return undefined;
  const data: number[] = [];
  for (const p of parts as Numeric[]) for (let i = 0; i < p.data.length; i++) data.push(p.data[i] as number);
  return { data, shape: [value.length, ...first.shape], kind: 'number' };
}

/** A sample value seen as numeric data, or undefined when it is a structure (tuple, object) or opaque. */
function asNumeric(value: unknown): Numeric | undefined {
  if (typeof value === 'number') return { data: [value], shape: [], kind: 'number' };
  if (typeof value === 'boolean') return { data: [value ? 1 : 0], shape: [], kind: 'bool' };
  if (isTypedArray(value)) return { data: value, shape: [value.length], kind: typedKind(value) };
  if (Array.isArray(value)) return nestedNumeric(value);
  if (typeof value === 'object' && value !== null) {
    const v = value as { data?: unknown; shape?: unknown; dtype?: unknown; dataSync?: unknown };
    if (typeof v.dataSync === 'function' && Array.isArray(v.shape) && typeof v.dtype === 'string') {
      const data = (v.dataSync as () => TypedArray)();
      return { data, shape: v.shape as number[], kind: v.dtype === 'bool' ? 'bool' : v.dtype === 'int32' ? 'int' : 'float' };
    }
    if (isTypedArray(v.data) && Array.isArray(v.shape) && isPlainObject(value)) {
      return { data: v.data, shape: v.shape as number[], kind: typedKind(v.data) };
    }
  }
  return undefined;
}

function typedKind(a: TypedArray): Numeric['kind'] {
  return a instanceof Float32Array || a instanceof Float64Array ? 'float' : 'int';
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function stackNumeric(parts: Numeric[], path: string): ArrayLeaf {
  const first = parts[0] as Numeric;
  let size = 1;
  for (const d of first.shape) size *= d;
  if (first.data.length !== size) {
    throw new CollateError(`${path}: a sample's data has ${first.data.length} values but its shape [${first.shape.join(', ')}] needs ${size}.`);
  }
  let allBool = true;
  let anyFloat = false;
  let allInt = true;
  for (let k = 0; k < parts.length; k++) {
    const p = parts[k] as Numeric;
    if (!sameShape(p.shape, first.shape)) {
      throw new CollateError(
        `${path}: sample ${k} has shape [${p.shape.join(', ')}] but sample 0 has [${first.shape.join(', ')}].`,
        'Samples in a batch must have equal shapes: resize or pad them in a transform, or pass a custom collateFn.',
      );
    }
    allBool &&= p.kind === 'bool';
    anyFloat ||= p.kind === 'float';
    allInt &&= p.kind === 'int';
  }
  let dtype: CollatedDtype;
  if (allBool) dtype = 'bool';
  else if (anyFloat) dtype = 'float32';
  else if (allInt) dtype = 'int32';
  else dtype = parts.every((p) => allIntegers(p.data)) ? 'int32' : 'float32';
  const data = dtype === 'float32' ? new Float32Array(size * parts.length) : dtype === 'int32' ? new Int32Array(size * parts.length) : new Uint8Array(size * parts.length);
  for (let k = 0; k < parts.length; k++) {
    const values = (parts[k] as Numeric).data;
    if (values.length !== size) throw new CollateError(`${path}: sample ${k} has ${values.length} values, expected ${size}.`);
    if (size === 1) data[k] = values[0] as number;
    else data.set(values, k * size);
  }
  return { __lightningArray: true, dtype, shape: [parts.length, ...first.shape], data };
}

function allIntegers(data: ArrayLike<number>): boolean {
  for (let i = 0; i < data.length; i++) if (!Number.isInteger(data[i])) return false;
  return true;
}

function collateAt(values: unknown[], path: string): ArrayTree {
  const first = values[0];
  const numeric = values.map(asNumeric);
  if (numeric.every((n) => n !== undefined)) return stackNumeric(numeric, path);
  if (Array.isArray(first)) {
    const width = first.length;
    values.forEach((v, k) => {
      if (!Array.isArray(v) || v.length !== width) {
        throw new CollateError(`${path}: sample ${k} is not a tuple of length ${width} like sample 0.`, 'Every sample must have the same structure.');
      }
    });
    return Array.from({ length: width }, (_, i) => collateAt(values.map((v) => (v as unknown[])[i]), `${path}[${i}]`));
  }
  if (isPlainObject(first)) {
    const out: Record<string, ArrayTree> = {};
    for (const key of Object.keys(first)) {
      out[key] = collateAt(
        values.map((v, k) => {
          if (!isPlainObject(v) || !(key in v)) throw new CollateError(`${path}: sample ${k} has no key "${key}" like sample 0.`, 'Every sample must have the same keys.');
          return v[key];
        }),
        `${path}.${key}`,
      );
    }
    return out;
  }
  return values;
}

/** Stack samples into typed-array leaves (see the file comment for the rules). */
export function collateArrays(samples: readonly unknown[]): ArrayTree {
  if (samples.length === 0) throw new CollateError('collate received an empty batch.');
  return collateAt([...samples], 'batch');
}

/** The ArrayBuffers of every leaf, for transferring a collated batch between threads without copying. */
export function transferablesOf(tree: unknown, out: ArrayBuffer[] = []): ArrayBuffer[] {
  if (isArrayLeaf(tree)) {
    if (tree.data.buffer instanceof ArrayBuffer && !out.includes(tree.data.buffer)) out.push(tree.data.buffer);
  } else if (Array.isArray(tree)) {
    for (const t of tree) transferablesOf(t, out);
  } else if (isPlainObject(tree)) {
    for (const t of Object.values(tree)) transferablesOf(t, out);
  }
  return out;
}
