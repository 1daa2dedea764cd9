/** `SimpleProfiler`: count, mean, total and share of the run per action, as a table printed and saved at the end. */
import type { Awaitable } from '../core/hooks.js';
import type { LogFileSystem } from '../loggers/file-system.js';
import { joinPath } from '../loggers/file-system.js';
import { platform } from '../platform/platform.js';
import type { Profiler } from './profiler.js';
import { timeCall } from './profiler.js';

/** What report files are written through (a `LogFileSystem` satisfies it). */
export type ProfileWriter = Pick<LogFileSystem, 'mkdir' | 'writeFile'>;

/** Options of `SimpleProfiler`. */
export interface SimpleProfilerOptions {
  /** Directory of the report file. Default: the run's log dir. */
  dirpath?: string;
  /** Report file name without extension; the file is `<stage>-<filename>.txt`. Default: "simple_profiler". */
  filename?: string;
  /** Where files go. Default: Node's file system (loaded lazily). */
  writer?: ProfileWriter;
  /** Where the table is printed. Default: `console.log`. */
  print?: (text: string) => void;
  /** Clock in milliseconds. Default: `performance.now`. */
  now?: () => number;
}

/** Statistics of one action. */
export interface ActionStats {
  action: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  /** Share of the run's wall time, in percent. */
  percent: number;
}

/** Records every action's durations and reports them as Lightning's simple profiler table. */
export class SimpleProfiler implements Profiler {
  protected readonly now: () => number;
  protected stage = 'fit';
  protected logDir = '.';
  protected writer: ProfileWriter | undefined;
  private readonly durations = new Map<string, { calls: number; totalMs: number }>();
  private startedMs: number | undefined;
  private readonly dirpath: string | undefined;
  private readonly filename: string;
  private readonly print: (text: string) => void;

  constructor(options: SimpleProfilerOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    this.dirpath = options.dirpath;
    this.filename = options.filename ?? this.defaultFilename();
    this.writer = options.writer;
    this.print = options.print ?? ((text) => console.log(text));
  }

  protected defaultFilename(): string {
    return 'simple_profiler';
  }

  /** Directory the report files go to. */
  get outputDir(): string {
    return this.dirpath ?? this.logDir;
  }

  /** Path of the text report. */
  get reportPath(): string {
    return joinPath(this.outputDir, `${this.stage}-${this.filename}.txt`);
  }

  setup(stage: string, logDir: string): Promise<void> {
    this.stage = stage;
    this.logDir = logDir;
    this.startedMs = this.now();
    this.writer ??= platform.logFileSystem;
    return Promise.resolve();
  }

  record(action: string, durationMs: number): void {
    const entry = this.durations.get(action);
    if (entry === undefined) this.durations.set(action, { calls: 1, totalMs: durationMs });
    else {
      entry.calls += 1;
      entry.totalMs += durationMs;
    }
  }

  profile<T>(action: string, fn: () => T): T {
    return timeCall(this.now, (ms) => this.record(action, ms), fn);
  }

  /** Per-action statistics, slowest total first. */
  stats(): ActionStats[] {
    const runMs = this.runDurationMs();
    return [...this.durations.entries()]
      .map(([action, d]) => ({ action, calls: d.calls, totalMs: d.totalMs, meanMs: d.totalMs / d.calls, percent: runMs > 0 ? (100 * d.totalMs) / runMs : 0 }))
      .sort((a, b) => b.totalMs - a.totalMs);
  }

  /** Wall time since `setup`. */
  runDurationMs(): number {
    return this.startedMs === undefined ? 0 : this.now() - this.startedMs;
  }

  summary(): string {
    const stats = this.stats();
    const runMs = this.runDurationMs();
    const calls = stats.reduce((n, s) => n + s.calls, 0);
    const header = ['Action', 'Mean duration (ms)', 'Num calls', 'Total time (ms)', 'Percentage %'];
    const rows = [
      ['Total', '-', String(calls), runMs.toFixed(3), '100 %'],
      ...stats.map((s) => [s.action, s.meanMs.toFixed(3), String(s.calls), s.totalMs.toFixed(3), `${s.percent.toFixed(3)} %`]),
    ];
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
    const line = (cells: string[]): string => `| ${cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join(' | ')} |`;
    const rule = '-'.repeat(line(header).length);
    return [`Profiler Report (${this.stage})`, '', rule, line(header), rule, ...rows.map(line), rule].join('\n');
  }

  describe(): Awaitable<void> {
    const text = this.summary();
    this.print(text);
    const writer = this.writer;
    if (writer === undefined) return;
    writer.mkdir(this.outputDir);
    writer.writeFile(this.reportPath, `${text}\n`);
  }

  teardown(): Awaitable<void> {
    this.durations.clear();
    this.startedMs = undefined;
  }
}
