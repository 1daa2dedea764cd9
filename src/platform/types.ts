/**
 * `Platform`: the few services that differ between Node and a browser. `platform.ts` is the Node implementation;
 * `platform.browser.ts` replaces it in browser bundles through the `browser` field of package.json, so neither
 * environment needs any setup and the core never tests where it runs.
 */
import type { CheckpointIO } from '../checkpoint/checkpoint-io.js';
import type { ProgressRenderer } from '../callbacks/progress/renderer.js';
import type { WorkerPoolFactory } from '../data/worker-pool.js';
import type { LogFileSystem } from '../loggers/file-system.js';
import type { CpuProfilerBackend } from '../profilers/advanced-profiler.js';

/** Where the dashboard listens (the Trainer's `dashboard` option). */
export interface PlatformDashboardOptions {
  port?: number | undefined;
  host?: string | undefined;
}

/** Services the core reaches through `platform` instead of importing Node built-ins. */
export interface Platform {
  /** Which implementation this is. */
  readonly name: 'node' | 'browser';
  /** The checkpoint storage used until `setCheckpointIO` chooses another (files in Node, IndexedDB in a browser). */
  createCheckpointIO(): Promise<CheckpointIO>;
  /** Files written by the CSV, JSON-lines and TensorBoard loggers by default (`node:fs`, or memory in a browser). */
  readonly logFileSystem: LogFileSystem;
  /** zlib-format (RFC 1950) deflate, for TensorBoard images. */
  readonly deflate: (data: Uint8Array) => Uint8Array;
  /** A host name for file names (TensorBoard event files). */
  readonly hostname: () => string;
  /** This process's id (0 in a browser). */
  readonly pid: () => number;
  /** The default progress bar's renderer: a terminal or plain lines in Node, the console in a browser. */
  createProgressRenderer(plainIntervalMs: number): Promise<ProgressRenderer>;
  /** Ask `onFirstSignal` to stop the run on SIGINT/SIGTERM (Node); returns the uninstaller. A no-op in a browser. */
  readonly installSignalHandlers: (onFirstSignal: (signal: string) => void) => () => void;
  /** Serve the live dashboard over a run directory (Node); browsers draw charts in the page instead. */
  startDashboard(rootDir: string, options: PlatformDashboardOptions): Promise<void>;
  /** The DataLoader's worker pool for `numWorkers > 0` (`worker_threads` in Node). */
  workerPoolFactory(): Promise<WorkerPoolFactory>;
  /** The CPU profiler behind `profiler: "advanced"` (V8's, through `node:inspector`). */
  createCpuProfiler(): Promise<CpuProfilerBackend>;
}
