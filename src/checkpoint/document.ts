/**
 * The checkpoint document (everything Lightning's `dump_checkpoint` stores, camelCased) and its conversion to
 * JSON plus named tensors. Tensors anywhere in the document are stored as safetensors tensors and referenced from
 * the JSON as `{"__tensor__": name}`; the module state dict keeps its PyTorch names, every other tensor is named
 * `@<path>` (e.g. `@optimizerStates/0/state/3/expAvg`) so it cannot clash with a module's names.
 */
import { CorruptFileError, MisconfigurationError, describeValue } from '../errors.js';
import { tf } from '../runtime/tf.js';
import type { Tensor } from '../runtime/tf.js';

/** A value a checkpoint can hold: JSON data (non-finite numbers included) and TF.js tensors at any depth. */
export type CheckpointValue =
  | null
  | boolean
  | number
  | string
  | Tensor
  | CheckpointValue[]
  | { [key: string]: CheckpointValue | undefined };

/** A string-keyed object of checkpoint values. */
export type CheckpointRecord = { [key: string]: CheckpointValue | undefined };

/** Everything a lightning-ts checkpoint stores (Lightning's checkpoint keys, camelCased). */
export interface CheckpointDocument {
  /** Epoch when saved (informational, like Lightning's `epoch`). */
  epoch: number;
  /** Optimizer steps taken when saved (informational, like Lightning's `global_step`). */
  globalStep: number;
  /** The lightning-ts version that wrote the file. */
  lightningTsVersion: string;
  /** The module's state dict by PyTorch-style names (`layer1.weight`). */
  stateDict: Record<string, Tensor>;
  /** Loop progress counters (`fitLoop`, `validateLoop`, ...). */
  loops?: CheckpointRecord;
  /** Callback states by state key. */
  callbacks?: CheckpointRecord;
  /** One state per optimizer (tensors such as `expAvg` allowed anywhere). */
  optimizerStates?: CheckpointValue[];
  /** One state per LR scheduler. */
  lrSchedulers?: CheckpointValue[];
  /** The module's hyperparameters. */
  hyperParameters?: CheckpointRecord;
  /** The datamodule's hyperparameters. */
  datamoduleHyperParameters?: CheckpointRecord;
  /** The datamodule's own `stateDict()`. */
  datamoduleState?: CheckpointRecord;
  /** Random generator states. */
  rng?: CheckpointRecord;
  /** Dataloader positions (Lightning's `combined_loader` state) for mid-epoch resume. */
  dataloaders?: CheckpointValue;
  /** Anything `onSaveCheckpoint` hooks add at the top level. */
  [key: string]: CheckpointValue | undefined;
}

/** Prefix of every tensor name outside the module state dict. */
export const AUX_TENSOR_PREFIX = '@';

const TENSOR_KEY = '__tensor__';
const NUMBER_KEY = '__number__';
const OBJECT_KEY = '__object__';
const MARKERS = [TENSOR_KEY, NUMBER_KEY, OBJECT_KEY];
/** Deepest nesting a document may have (a hostile file could otherwise exhaust the stack). */
export const MAX_DOCUMENT_DEPTH = 500;

/** Set `key` as plain data (a `"__proto__"` key must not change the prototype). */
function setOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** JSON as it appears in the file's metadata. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isTensor(value: unknown): value is Tensor {
  return value instanceof tf.Tensor;
}

/** The document's JSON with tensor references, and the tensors it references by name. */
export interface EncodedDocument {
  json: { [key: string]: Json };
  tensors: Map<string, Tensor>;
}

/**
 * Split a document into JSON and named tensors. Non-finite numbers become `{"__number__": "Infinity"}`; an
 * object that itself uses a marker key is wrapped as `{"__object__": {...}}` so it reads back unchanged.
 */
export function encodeDocument(document: CheckpointDocument): EncodedDocument {
  const tensors = new Map<string, Tensor>();
  const json: { [key: string]: Json } = {};
  const stateDictJson: { [key: string]: Json } = {};
  for (const [name, t] of Object.entries(document.stateDict)) {
    if (!isTensor(t)) {
      throw new MisconfigurationError(`stateDict["${name}"] is ${describeValue(t)}, not a tensor.`, 'A state dict maps names to tensors.');
    }
    if (name.startsWith(AUX_TENSOR_PREFIX) || name === '__metadata__') {
      throw new MisconfigurationError(
        `The state dict key "${name}" is reserved (names starting with "${AUX_TENSOR_PREFIX}" hold optimizer and callback tensors).`,
        'Rename the parameter or submodule.',
      );
    }
    tensors.set(name, t);
    stateDictJson[name] = { [TENSOR_KEY]: name };
  }
  const ancestors = new Set<object>();
  const walk = (value: unknown, path: string[]): Json | undefined => {
    if (path.length > MAX_DOCUMENT_DEPTH || (typeof value === 'object' && value !== null && ancestors.has(value))) {
      throw new MisconfigurationError(
        `The checkpoint value at "${path.slice(0, 20).join('.')}" is nested deeper than ${MAX_DOCUMENT_DEPTH} levels or contains itself.`,
        'Store acyclic, reasonably shallow data in checkpoints.',
      );
    }
    if (value === undefined) return undefined;
    if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
    if (typeof value === 'number') return Number.isFinite(value) ? value : { [NUMBER_KEY]: String(value) };
    if (isTensor(value)) {
      let name = AUX_TENSOR_PREFIX + path.join('/');
      for (let i = 1; tensors.has(name); i++) name = `${AUX_TENSOR_PREFIX}${path.join('/')}#${i}`;
      tensors.set(name, value);
      return { [TENSOR_KEY]: name };
    }
    if (Array.isArray(value) || isPlainObject(value)) {
      ancestors.add(value);
      try {
        if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, String(i)]) ?? null);
        const out: { [key: string]: Json } = {};
        for (const [k, v] of Object.entries(value)) {
          const encoded = walk(v, [...path, k]);
          if (encoded !== undefined) setOwn(out, k, encoded);
        }
        return Object.keys(out).some((k) => MARKERS.includes(k)) ? { [OBJECT_KEY]: out } : out;
      } finally {
        ancestors.delete(value);
      }
    }
    throw new MisconfigurationError(
      `The checkpoint value at "${path.join('.')}" is ${describeValue(value)}, which a checkpoint cannot store.`,
      'Store plain objects, arrays, numbers, strings, booleans, null or tf tensors (convert Maps, class instances and typed arrays first).',
    );
  };
  for (const [key, value] of Object.entries(document)) {
    if (key === 'stateDict') continue;
    const encoded = walk(value, [key]);
    if (encoded !== undefined) json[key] = encoded;
  }
  json.stateDict = stateDictJson;
  return { json, tensors };
}

/**
 * Rebuild values from the file's JSON: tensor references become tensors from `resolveTensor`, number markers
 * become numbers. Throws `CorruptFileError` for a malformed marker.
 */
export function decodeValue(value: Json, path: string, resolveTensor: (name: string, path: string) => Tensor, depth = 0): CheckpointValue {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DOCUMENT_DEPTH) {
    throw new CorruptFileError(`Invalid checkpoint: the document is nested deeper than ${MAX_DOCUMENT_DEPTH} levels.`, 'The file is corrupt or hostile.');
  }
  if (Array.isArray(value)) return value.map((v, i) => decodeValue(v, `${path}.${i}`, resolveTensor, depth + 1));
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === TENSOR_KEY) {
    const name = value[TENSOR_KEY];
    if (typeof name !== 'string') throw new CorruptFileError(`Invalid checkpoint: the tensor reference at "${path}" is not a string.`, 'Re-save the checkpoint.');
    return resolveTensor(name, path);
  }
  if (keys.length === 1 && keys[0] === NUMBER_KEY) {
    const text = value[NUMBER_KEY];
    if (text !== 'Infinity' && text !== '-Infinity' && text !== 'NaN') {
      throw new CorruptFileError(`Invalid checkpoint: the number at "${path}" is ${JSON.stringify(text)}.`, 'Expected "Infinity", "-Infinity" or "NaN".');
    }
    return Number(text);
  }
  const isWrapped = keys.length === 1 && keys[0] === OBJECT_KEY;
  const source = isWrapped ? value[OBJECT_KEY] : value;
  if (source === null || typeof source !== 'object' || Array.isArray(source)) {
    throw new CorruptFileError(`Invalid checkpoint: the wrapped object at "${path}" is not an object.`, 'Re-save the checkpoint.');
  }
  const out: CheckpointRecord = {};
  for (const [k, v] of Object.entries(source)) {
    setOwn(out, k, decodeValue(v, `${path}.${k}`, resolveTensor, depth + 1));
  }
  return out;
}

/** Dispose every tensor in a loaded document (state dict, optimizer states, anything nested). */
export function disposeCheckpoint(document: CheckpointDocument | CheckpointValue): void {
  const visit = (v: unknown): void => {
    if (isTensor(v)) v.dispose();
    else if (Array.isArray(v)) v.forEach(visit);
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(visit);
  };
  visit(document);
}
