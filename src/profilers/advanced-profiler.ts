/** `AdvancedProfiler`: the simple profiler's table plus a V8 CPU profile of the whole run (open it in Chrome DevTools). */
import { platform } from '../platform/platform.js';
import { SimpleProfiler } from './simple-profiler.js';
import type { SimpleProfilerOptions } from './simple-profiler.js';

/** Starts and stops a CPU profile; `stop` returns the profile as JSON text (`.cpuprofile`). */
export interface CpuProfilerBackend {
  start(): Promise<void>;
  stop(): Promise<string>;
}

/** Options of `AdvancedProfiler`. */
export interface AdvancedProfilerOptions extends SimpleProfilerOptions {
  /** Where the CPU profile comes from. Default: V8's profiler through `node:inspector` (Node only). */
  cpuProfiler?: CpuProfilerBackend;
}

/** Writes `<stage>-<filename>.txt` (the action table) and `<stage>-<filename>.cpuprofile` (the V8 CPU profile). */
export class AdvancedProfiler extends SimpleProfiler {
  private cpu: CpuProfilerBackend | undefined;
  private running = false;
  /** Path of the CPU profile written by `describe`, once written. */
  cpuProfilePath: string | undefined;

  constructor(options: AdvancedProfilerOptions = {}) {
    super(options);
    this.cpu = options.cpuProfiler;
  }

  protected override defaultFilename(): string {
    return 'advanced_profiler';
  }

  override async setup(stage: string, logDir: string): Promise<void> {
    await super.setup(stage, logDir);
    this.cpu ??= await platform.createCpuProfiler();
    await this.cpu.start();
    this.running = true;
  }

  override async describe(): Promise<void> {
    await super.describe();
    if (!this.running || this.cpu === undefined) return;
    this.running = false;
    const profile = await this.cpu.stop();
    const path = this.reportPath.replace(/\.txt$/, '.cpuprofile');
    this.writer?.mkdir(this.outputDir);
    this.writer?.writeFile(path, profile);
    this.cpuProfilePath = path;
  }

  override async teardown(): Promise<void> {
    if (this.running && this.cpu !== undefined) {
      this.running = false;
      await this.cpu.stop();
    }
    await super.teardown();
  }
}
