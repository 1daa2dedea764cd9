// Temp-dir helpers for logger tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory under the OS temp dir, and a cleanup function. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'lts-loggers-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
