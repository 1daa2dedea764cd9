/** Node implementations of the platform services loggers use (files, deflate, host name, pid); browsers pass their own. */
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { deflateSync } from 'node:zlib';
import type { LogFileSystem } from './file-system.js';

/** `LogFileSystem` backed by `node:fs` (synchronous calls, so a crash never loses an acknowledged write). */
export const nodeLogFileSystem: LogFileSystem = {
  mkdir: (path) => {
    mkdirSync(path, { recursive: true });
  },
  writeFile: (path, data) => writeFileSync(path, data),
  appendFile: (path, data) => appendFileSync(path, data),
  readFile: (path) => new Uint8Array(readFileSync(path)),
  readdir: (path) => readdirSync(path),
  exists: (path) => existsSync(path),
  isDirectory: (path) => existsSync(path) && statSync(path).isDirectory(),
  removeFile: (path) => rmSync(path, { force: true }),
};

/** zlib-format deflate (RFC 1950) through `node:zlib`. */
export function nodeDeflate(data: Uint8Array): Uint8Array {
  return new Uint8Array(deflateSync(data));
}

/** This machine's host name, as TensorBoard event file names carry it. */
export function nodeHostname(): string {
  return hostname();
}

/** This process's id. */
export function nodePid(): number {
  return process.pid;
}
