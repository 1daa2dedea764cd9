/**
 * `CheckpointIO`: where checkpoint bytes go. The Trainer and callbacks only see this interface, so the same code
 * saves to a local disk in Node, to browser storage or to an object store.
 */

/** Options of `CheckpointIO.load`. */
export interface CheckpointLoadOptions {
  /** Refuse files larger than this many bytes. Default: chosen by the implementation (16 GiB for the Node one). */
  maxBytes?: number;
}

/** Stores and reads checkpoint files. `save` must be atomic: readers see the old file or the new one, never a mix. */
export interface CheckpointIO {
  /** Write `bytes` to `path` atomically, creating missing directories. */
  save(path: string, bytes: Uint8Array): Promise<void>;
  /** Read the whole file at `path`. */
  load(path: string, options?: CheckpointLoadOptions): Promise<Uint8Array>;
  /** Whether a file exists at `path`. */
  exists(path: string): Promise<boolean>;
  /** Delete the file at `path` (no error when it does not exist). */
  remove(path: string): Promise<void>;
  /** Names of the files directly inside `directory` (empty when it does not exist). */
  list(directory: string): Promise<string[]>;
  /** Make `linkPath` point at `target` (a symlink where supported, else a copy), replacing it atomically. */
  link(target: string, linkPath: string): Promise<void>;
}
