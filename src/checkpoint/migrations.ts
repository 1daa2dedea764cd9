/**
 * Format versions of the checkpoint's JSON document and the functions that upgrade each version to the next, so a
 * later release still opens today's files. Migrations work on the JSON (tensor references untouched).
 */
import { CorruptFileError, LightningError } from '../errors.js';
import type { Json } from './document.js';

/** The format version this release writes. */
export const CHECKPOINT_FORMAT_VERSION = 1;

/** The JSON document as stored in the file (before tensors are resolved). */
export type CheckpointJson = { [key: string]: Json };

/** Upgrades a document of version n to version n + 1 (it must not mutate its input). */
export type CheckpointMigration = (document: CheckpointJson) => CheckpointJson;

/** A file was written by a newer lightning-ts whose format this release cannot read. */
export class UnsupportedCheckpointVersionError extends LightningError {}

/** Lightning's snake_case top-level keys and their lightning-ts names. */
const LIGHTNING_KEYS: Record<string, string> = {
  global_step: 'globalStep',
  'pytorch-lightning_version': 'lightningTsVersion',
  state_dict: 'stateDict',
  optimizer_states: 'optimizerStates',
  lr_schedulers: 'lrSchedulers',
  hyper_parameters: 'hyperParameters',
  datamodule_hyper_parameters: 'datamoduleHyperParameters',
};

/**
 * Version 0 is PyTorch Lightning's own layout of the top-level keys (`global_step`, `state_dict`,
 * `optimizer_states`, ...), so a dict converted from a Lightning checkpoint opens through the same path.
 * Version 1 camelCases them.
 */
function migrateV0ToV1(document: CheckpointJson): CheckpointJson {
  const out: CheckpointJson = {};
  for (const [key, value] of Object.entries(document)) out[LIGHTNING_KEYS[key] ?? key] = value;
  out.formatVersion = 1;
  return out;
}

/** The built-in migrations: `migrations[n]` upgrades version n to n + 1. */
export const CHECKPOINT_MIGRATIONS: ReadonlyMap<number, CheckpointMigration> = new Map([[0, migrateV0ToV1]]);

/** Options of `migrateCheckpoint`. */
export interface MigrateOptions {
  /** The migrations to apply. Default: `CHECKPOINT_MIGRATIONS`. */
  migrations?: ReadonlyMap<number, CheckpointMigration>;
  /** The version to upgrade to. Default: `CHECKPOINT_FORMAT_VERSION`. */
  targetVersion?: number;
}

/** Read `formatVersion` (a missing one means 0) and apply migrations up to the target version. */
export function migrateCheckpoint(document: CheckpointJson, options: MigrateOptions = {}): CheckpointJson {
  const migrations = options.migrations ?? CHECKPOINT_MIGRATIONS;
  const target = options.targetVersion ?? CHECKPOINT_FORMAT_VERSION;
  const raw = document.formatVersion ?? 0;
  if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < 0) {
    throw new CorruptFileError(
      `Invalid checkpoint: formatVersion is ${JSON.stringify(raw)}, expected a non-negative integer.`,
      'The file is corrupt or was not written by lightning-ts.',
    );
  }
  if (raw > target) {
    throw new UnsupportedCheckpointVersionError(
      `The checkpoint has format version ${raw}, but this lightning-ts reads versions up to ${target}.`,
      'It was written by a newer lightning-ts: upgrade lightning-ts (npm install lightning-ts@latest) to open it.',
    );
  }
  let current = document;
  for (let version = raw; version < target; version++) {
    const migrate = migrations.get(version);
    if (migrate === undefined) {
      throw new UnsupportedCheckpointVersionError(
        `No migration from checkpoint format version ${version} to ${version + 1} is available.`,
        'Open the file with the lightning-ts release that wrote it and re-save it.',
      );
    }
    current = { ...migrate(current), formatVersion: version + 1 };
  }
  return current;
}
