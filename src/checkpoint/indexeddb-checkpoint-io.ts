/**
 * `IndexedDBCheckpointIO`: checkpoints in the browser's IndexedDB, one record per path holding the same bytes a Node
 * run writes to disk. Each save is a single `put` in its own transaction, which IndexedDB commits atomically.
 */
import { BackendError, CorruptFileError } from '../errors.js';
import type { CheckpointIO, CheckpointLoadOptions } from './checkpoint-io.js';
import { checkpointNotFound, namesInDirectory, normalizeCheckpointPath } from './memory-checkpoint-io.js';

/** Options of `IndexedDBCheckpointIO`. */
export interface IndexedDBCheckpointIOOptions {
  /** Database name. Default: `"lightning-ts"`. */
  databaseName?: string;
  /** Object store holding the files. Default: `"checkpoints"`. */
  storeName?: string;
  /** The IndexedDB factory. Default: `globalThis.indexedDB`. */
  indexedDB?: IDBFactory;
}

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/** Checkpoint storage in IndexedDB (persists across page loads; inspect it in the browser's dev tools). */
export class IndexedDBCheckpointIO implements CheckpointIO {
  readonly databaseName: string;
  readonly storeName: string;
  private readonly factory: IDBFactory | undefined;
  private db: Promise<IDBDatabase> | undefined;

  constructor(options: IndexedDBCheckpointIOOptions = {}) {
    this.databaseName = options.databaseName ?? 'lightning-ts';
    this.storeName = options.storeName ?? 'checkpoints';
    this.factory = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  }

  private open(): Promise<IDBDatabase> {
    const factory = this.factory;
    if (factory === undefined) {
      return Promise.reject(new BackendError('IndexedDB is not available here.', 'Use setCheckpointIO(new MemoryCheckpointIO()) or pass options.indexedDB.'));
    }
    this.db ??= new Promise((resolve, reject) => {
      const request = factory.open(this.databaseName, 1);
      request.onupgradeneeded = () => {
        if (!request.result.objectStoreNames.contains(this.storeName)) request.result.createObjectStore(this.storeName);
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error(`Could not open IndexedDB database ${this.databaseName}`));
    });
    return this.db;
  }

  private async store(mode: IDBTransactionMode): Promise<{ store: IDBObjectStore; done: Promise<void> }> {
    const tx = (await this.open()).transaction(this.storeName, mode);
    return { store: tx.objectStore(this.storeName), done: committed(tx) };
  }

  /** Store `bytes` under `path` in one transaction. */
  async save(path: string, bytes: Uint8Array): Promise<void> {
    const { store, done } = await this.store('readwrite');
    store.put(bytes.slice(), normalizeCheckpointPath(path));
    await done;
  }

  /** The bytes stored under `path`. */
  async load(path: string, options: CheckpointLoadOptions = {}): Promise<Uint8Array> {
    const { store } = await this.store('readonly');
    const value = (await promised(store.get(normalizeCheckpointPath(path)))) as unknown;
    if (value === undefined) throw checkpointNotFound(path, `IndexedDB "${this.databaseName}"`);
    const bytes = value instanceof Uint8Array ? value : new Uint8Array(value as ArrayBuffer);
    if (options.maxBytes !== undefined && bytes.length > options.maxBytes) {
      throw new CorruptFileError(`${path} has ${bytes.length} bytes, more than the limit of ${options.maxBytes}.`, 'Pass a larger maxBytes if you trust this file.');
    }
    return bytes;
  }

  /** Whether `path` holds a checkpoint. */
  async exists(path: string): Promise<boolean> {
    const { store } = await this.store('readonly');
    return (await promised(store.count(normalizeCheckpointPath(path)))) > 0;
  }

  /** Delete `path` (no error when missing). */
  async remove(path: string): Promise<void> {
    const { store, done } = await this.store('readwrite');
    store.delete(normalizeCheckpointPath(path));
    await done;
  }

  /** Names directly inside `directory`, sorted. */
  async list(directory: string): Promise<string[]> {
    const { store } = await this.store('readonly');
    const keys = (await promised(store.getAllKeys())).filter((k): k is string => typeof k === 'string');
    return namesInDirectory(keys, directory);
  }

  /** IndexedDB has no links: `linkPath` gets a copy of `target`. */
  async link(target: string, linkPath: string): Promise<void> {
    await this.save(linkPath, await this.load(target));
  }

  /** Close the connection (the next call reopens it). */
  async close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    if (db !== undefined) (await db).close();
  }
}
