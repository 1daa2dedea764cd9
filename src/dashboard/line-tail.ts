/** Incremental reading of an append-only text file: complete lines only, the partial last line kept for later. */
import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** What one `LineTail.read()` found. */
export interface TailRead {
  /** Complete new lines (without `\n`), in order. */
  lines: string[];
  /** Line number (1-based) of `lines[0]`. */
  firstLineNumber: number;
  /** True when the file got shorter than what was read (rewritten or replaced): the caller starts over. */
  wasReset: boolean;
  /** Bytes after the last `\n` (a line still being written, or a truncated last line). */
  pendingBytes: number;
}

const decoder = new TextDecoder();
/** Read at most this many bytes per call, so one huge file never blocks the server for long. */
const MAX_READ_BYTES = 8 * 1024 * 1024;

/** Follows one file by byte offset; each `read()` returns the lines completed since the previous call. */
export class LineTail {
  private offset = 0;
  private linesRead = 0;
  private lastSize = -1;
  private lastMtimeMs = -1;
  private inode = -1;

  constructor(
    /** Path of the file. */
    readonly path: string,
  ) {}

  /** Bytes consumed so far (up to and including the last complete line). */
  get consumedBytes(): number {
    return this.offset;
  }

  /** Modification time of the file at the last read, in ms since the Unix epoch (-1 before). */
  get mtimeMs(): number {
    return this.lastMtimeMs;
  }

  /** Read the lines completed since the last call (none when the file is missing or unchanged). */
  read(): TailRead {
    const empty = { lines: [], firstLineNumber: this.linesRead + 1, wasReset: false, pendingBytes: 0 };
    let size: number;
    let inode: number;
    try {
      const st = statSync(this.path);
      if (!st.isFile()) return empty;
      size = st.size;
      inode = st.ino;
      this.lastMtimeMs = st.mtimeMs;
    } catch {
      return empty;
    }
    let wasReset = false;
    if (size < this.offset || (this.inode !== -1 && inode !== this.inode)) {
      this.offset = 0;
      this.linesRead = 0;
      wasReset = true;
    }
    this.inode = inode;
    if (size === this.lastSize && !wasReset) return { ...empty, pendingBytes: size - this.offset };
    this.lastSize = size;
    const length = Math.min(size - this.offset, MAX_READ_BYTES);
    const bytes = this.readBytes(this.offset, length);
    const end = bytes.lastIndexOf(10);
    const firstLineNumber = this.linesRead + 1;
    if (end < 0) return { lines: [], firstLineNumber, wasReset, pendingBytes: size - this.offset };
    const lines = decoder.decode(bytes.subarray(0, end)).split('\n');
    this.offset += end + 1;
    this.linesRead += lines.length;
    if (this.offset < size && length === MAX_READ_BYTES) this.lastSize = -1;
    return { lines, firstLineNumber, wasReset, pendingBytes: size - this.offset };
  }

  private readBytes(position: number, length: number): Uint8Array {
    const buf = new Uint8Array(length);
    if (length === 0) return buf;
    const fd = openSync(this.path, 'r');
    try {
      const n = readSync(fd, buf, 0, length, position);
      return buf.subarray(0, n);
    } finally {
      closeSync(fd);
    }
  }
}
