// Helpers of the CLI tests: fixture paths, a temp dir per test, and runCli with captured output.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/index.js';

/** Absolute path of a file in tests/cli/fixtures. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** A fresh temporary directory. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'lightning-ts-cli-'));
}

/** The quiet trainer flags every run test passes. */
export const QUIET = ['--trainer.accelerator', 'cpu', '--trainer.enableProgressBar', 'false', '--trainer.enableModelSummary', 'false', '--trainer.handleSignals', 'false'];

/** Run the CLI in-process and capture what it printed. */
export async function run(argv: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const options = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t), ...(cwd !== undefined ? { cwd } : {}) };
  const code = await runCli(argv, options);
  return { code, stdout, stderr };
}
