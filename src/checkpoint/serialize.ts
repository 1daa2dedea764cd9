/**
 * Checkpoint bytes: one safetensors file whose tensors are the module state dict (PyTorch names) plus every other
 * tensor of the document (`@...` names), and whose `__metadata__` holds `format: "pt"` and the versioned JSON
 * document under `lightning_ts`.
 */
import { z } from 'zod';
import { CorruptFileError } from '../errors.js';
import type { Tensor } from '../runtime/tf.js';
import { AUX_TENSOR_PREFIX, decodeValue, disposeCheckpoint, encodeDocument } from './document.js';
import type { CheckpointDocument, CheckpointValue } from './document.js';
import { CHECKPOINT_FORMAT_VERSION, migrateCheckpoint } from './migrations.js';
import type { CheckpointJson, MigrateOptions } from './migrations.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import type { RawTensor, SafetensorsLimits } from './safetensors.js';
import { rawToTensor, tensorToRaw } from './tensor-bytes.js';

/** The `__metadata__` key that holds the checkpoint's JSON document. */
export const METADATA_KEY = 'lightning_ts';

/** Options of `deserializeCheckpoint`. */
export interface DeserializeOptions extends MigrateOptions {
  /** Limits against hostile files. Default: the safetensors defaults. */
  limits?: SafetensorsLimits;
}

const tensorRef = z.object({ __tensor__: z.string() }).strict();
const record = z.record(z.string(), z.unknown());

/** Shape of the (migrated) JSON document; unknown top-level keys are kept (hooks may add them). */
const CheckpointJsonSchema = z.looseObject({
  formatVersion: z.literal(CHECKPOINT_FORMAT_VERSION),
  lightningTsVersion: z.string(),
  epoch: z.number().int().nonnegative(),
  globalStep: z.number().int().nonnegative(),
  stateDict: z.record(z.string(), tensorRef),
  loops: record.optional(),
  callbacks: record.optional(),
  optimizerStates: z.array(z.unknown()).optional(),
  lrSchedulers: z.array(z.unknown()).optional(),
  hyperParameters: record.optional(),
  datamoduleHyperParameters: record.optional(),
  datamoduleState: record.optional(),
  rng: record.optional(),
});

/** Encode a checkpoint document as the bytes of a `.ckpt` file (reads tensor values; does not dispose them). */
export async function serializeCheckpoint(document: CheckpointDocument): Promise<Uint8Array> {
  const { json, tensors } = encodeDocument(document);
  const raw: Record<string, RawTensor> = {};
  for (const [name, tensor] of tensors) raw[name] = await tensorToRaw(name, tensor);
  const { formatVersion: _ignored, ...rest } = json;
  const metadata = { format: 'pt', [METADATA_KEY]: JSON.stringify({ formatVersion: CHECKPOINT_FORMAT_VERSION, ...rest }) };
  return encodeSafetensors(raw, metadata);
}

function parseMetadataJson(text: string | undefined): CheckpointJson {
  if (text === undefined) {
    throw new CorruptFileError(
      `This safetensors file has no "${METADATA_KEY}" metadata, so it is a plain weights file, not a lightning-ts checkpoint.`,
      'Load its weights with readStateDict(bytes) / loadStateDictFile(path) and module.loadStateDict(...).',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new CorruptFileError(
      `Invalid checkpoint: the "${METADATA_KEY}" metadata is not valid JSON (${(cause as Error).message}).`,
      'The file is corrupt; re-save the checkpoint.',
      { cause },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CorruptFileError(`Invalid checkpoint: the "${METADATA_KEY}" metadata is not a JSON object.`, 'The file is corrupt; re-save the checkpoint.');
  }
  return parsed as CheckpointJson;
}

/**
 * Decode the bytes of a `.ckpt` file: validate the layout, migrate old format versions, validate the document
 * and create its tensors. The caller owns every tensor of the result (see `disposeCheckpoint`).
 */
export function deserializeCheckpoint(bytes: Uint8Array, options: DeserializeOptions = {}): CheckpointDocument {
  const contents = decodeSafetensors(bytes, options.limits);
  const migrated = migrateCheckpoint(parseMetadataJson(contents.metadata[METADATA_KEY]), options);
  const checked = CheckpointJsonSchema.safeParse(migrated);
  if (!checked.success) {
    const problems = checked.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new CorruptFileError(`Invalid checkpoint document: ${problems}.`, 'The file is corrupt or was not written by lightning-ts.');
  }
  const created: Tensor[] = [];
  const resolve = (name: string, path: string): Tensor => {
    const raw = contents.tensors.get(name);
    if (raw === undefined) {
      throw new CorruptFileError(`Invalid checkpoint: "${path}" refers to tensor "${name}", which the file does not contain.`, 'The file is corrupt; re-save the checkpoint.');
    }
    const tensor = rawToTensor(name, raw);
    created.push(tensor);
    return tensor;
  };
  try {
    const document: Record<string, CheckpointValue> = {};
    for (const [key, value] of Object.entries(migrated)) {
      if (key === 'formatVersion') continue;
      Object.defineProperty(document, key, { value: decodeValue(value, key, resolve, 1), enumerable: true, writable: true, configurable: true });
    }
    return document as unknown as CheckpointDocument;
  } catch (error) {
    disposeCheckpoint(created);
    throw error;
  }
}

/** Read the tensors of any safetensors file (e.g. `save_file(model.state_dict())` from PyTorch) as a state dict. */
export function readStateDict(bytes: Uint8Array, options: { limits?: SafetensorsLimits; includeAuxiliary?: boolean } = {}): Record<string, Tensor> {
  const { tensors } = decodeSafetensors(bytes, options.limits);
  const out: Record<string, Tensor> = {};
  try {
    for (const [name, raw] of tensors) {
      if (!(options.includeAuxiliary ?? false) && name.startsWith(AUX_TENSOR_PREFIX)) continue;
      out[name] = rawToTensor(name, raw);
    }
  } catch (error) {
    disposeCheckpoint(out);
    throw error;
  }
  return out;
}

/** Encode a state dict as a plain safetensors file that `safetensors.torch.load_file` opens. */
export async function serializeStateDict(stateDict: Record<string, Tensor>, metadata: Record<string, string> = {}): Promise<Uint8Array> {
  const raw: Record<string, RawTensor> = {};
  for (const [name, tensor] of Object.entries(stateDict)) raw[name] = await tensorToRaw(name, tensor);
  return encodeSafetensors(raw, { format: 'pt', ...metadata });
}
