/** The checkpoint format (safetensors + versioned JSON), its migrations and atomic checkpoint IO. */
export { saveCheckpoint, loadCheckpoint, saveStateDictFile, loadStateDictFile } from './checkpoint.js';
export type { LoadCheckpointOptions } from './checkpoint.js';
export type { CheckpointIO, CheckpointLoadOptions } from './checkpoint-io.js';
export { MemoryCheckpointIO } from './memory-checkpoint-io.js';
export { IndexedDBCheckpointIO } from './indexeddb-checkpoint-io.js';
export type { IndexedDBCheckpointIOOptions } from './indexeddb-checkpoint-io.js';
export { AUX_TENSOR_PREFIX, disposeCheckpoint } from './document.js';
export type { CheckpointDocument, CheckpointRecord, CheckpointValue } from './document.js';
export {
  CHECKPOINT_FORMAT_VERSION,
  CHECKPOINT_MIGRATIONS,
  UnsupportedCheckpointVersionError,
  migrateCheckpoint,
} from './migrations.js';
export type { CheckpointJson, CheckpointMigration, MigrateOptions } from './migrations.js';
export { METADATA_KEY, deserializeCheckpoint, readStateDict, serializeCheckpoint, serializeStateDict } from './serialize.js';
export type { DeserializeOptions } from './serialize.js';
export { SAFETENSORS_DTYPE_BYTES, decodeSafetensors, encodeSafetensors, typedArrayToRaw } from './safetensors.js';
export type { RawTensor, SafetensorsContents, SafetensorsDtype, SafetensorsLimits } from './safetensors.js';
export { rawToTensor, tensorToRaw } from './tensor-bytes.js';
