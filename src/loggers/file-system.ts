/** The small, synchronous file-system surface loggers write through, so the same loggers run on Node or in a browser. */

/** Synchronous file operations a logger needs; paths use `/` separators. */
export interface LogFileSystem {
  /** Create a directory and its parents; no error when it exists. */
  mkdir(path: string): void;
  /** Create or replace a file. */
  writeFile(path: string, data: string | Uint8Array): void;
  /** Append to a file, creating it when missing. */
  appendFile(path: string, data: string | Uint8Array): void;
  /** Read a whole file. */
  readFile(path: string): Uint8Array;
  /** Names (not paths) of the entries directly inside a directory. */
  readdir(path: string): string[];
  /** Whether a file or directory exists. */
  exists(path: string): boolean;
  /** Whether a path exists and is a directory. */
  isDirectory(path: string): boolean;
  /** Delete a file; no error when it is missing. */
  removeFile(path: string): void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Read a UTF-8 text file through a `LogFileSystem`. */
export function readTextFile(fs: LogFileSystem, path: string): string {
  return decoder.decode(fs.readFile(path));
}

/** Join path segments with `/`, skipping empty ones (`joinPath('a', '', 'b')` is `a/b`). */
export function joinPath(...parts: string[]): string {
  const kept = parts.filter((p) => p !== '');
  if (kept.length === 0) return '';
  return kept.map((p, i) => (i === 0 ? p.replace(/\/+$/, '') || '/' : p.replace(/^\/+|\/+$/g, ''))).join('/').replace(/\/{2,}/g, '/');
}

function normalize(path: string): string {
  const p = path.replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1');
  return p === '' ? '.' : p;
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  if (i < 0) return '.';
  return i === 0 ? '/' : path.slice(0, i);
}

/** A `LogFileSystem` kept in memory: for tests and for browsers (export the files with `files()`). */
export class MemoryLogFileSystem implements LogFileSystem {
  private readonly fileData = new Map<string, Uint8Array>();
  private readonly dirs = new Set<string>(['.', '/']);

  mkdir(path: string): void {
    let p = normalize(path);
    while (!this.dirs.has(p)) {
      this.dirs.add(p);
      p = parentOf(p);
    }
  }

  writeFile(path: string, data: string | Uint8Array): void {
    const p = normalize(path);
    this.mkdir(parentOf(p));
    this.fileData.set(p, typeof data === 'string' ? encoder.encode(data) : data.slice());
  }

  appendFile(path: string, data: string | Uint8Array): void {
    const p = normalize(path);
    const old = this.fileData.get(p);
    if (old === undefined) {
      this.writeFile(p, data);
      return;
    }
    const add = typeof data === 'string' ? encoder.encode(data) : data;
    const joined = new Uint8Array(old.length + add.length);
    joined.set(old, 0);
    joined.set(add, old.length);
    this.fileData.set(p, joined);
  }

  readFile(path: string): Uint8Array {
    const data = this.fileData.get(normalize(path));
    if (data === undefined) throw new Error(`ENOENT: no such file in memory file system: ${path}`);
    return data.slice();
  }

  readdir(path: string): string[] {
    const dir = normalize(path);
    if (!this.dirs.has(dir)) throw new Error(`ENOENT: no such directory in memory file system: ${path}`);
    const names = new Set<string>();
    for (const p of [...this.dirs, ...this.fileData.keys()]) {
      if (p !== dir && parentOf(p) === dir) names.add(p.slice(p.lastIndexOf('/') + 1));
    }
    return [...names].sort();
  }

  exists(path: string): boolean {
    const p = normalize(path);
    return this.dirs.has(p) || this.fileData.has(p);
  }

  isDirectory(path: string): boolean {
    return this.dirs.has(normalize(path));
  }

  removeFile(path: string): void {
    this.fileData.delete(normalize(path));
  }

  /** Every file path held, sorted. */
  files(): string[] {
    return [...this.fileData.keys()].sort();
  }
}
