/** CSVLogger: `saveDir/name/version_N/metrics.csv` + `hparams.yaml`, with Lightning's layout and column order. */
import { joinPath, readTextFile, type LogFileSystem } from './file-system.js';
import { compareCodePoints, formatCsvLine, formatCsvNumber, parseCsv } from './csv.js';
import { saveHparamsToYaml } from './hparams-file.js';
import { BaseLogger, checkStep, prefixMetrics, type LoggerStatus } from './logger.js';
import { platform } from '../platform/platform.js';
import { VersionedRunDir } from './versioning.js';

/** Options of `CSVLogger`. */
export interface CSVLoggerOptions {
  /** Directory the experiment folders live in (required). */
  saveDir: string;
  /** Experiment name; `''` puts versions directly in `saveDir`. Default: `'lightning_logs'`. */
  name?: string;
  /** Version number or folder name. Default: the next free `version_<n>`. */
  version?: number | string;
  /** Prepended to every metric name with `-`. Default: `''`. */
  prefix?: string;
  /** Write buffered rows whenever the step crosses a multiple of this. Default: 100. */
  flushLogsEveryNSteps?: number;
  /** File system to write through. Default: the platform's (`node:fs`; memory in a browser). */
  fs?: LogFileSystem;
  /** Global rank of this process (only rank 0 writes). Default: 0. */
  rank?: number;
}

/**
 * Logs metrics to CSV like Lightning's CSVLogger: one row per `logMetrics` call with a `step` column; the header is
 * the union of all keys sorted by code point (so `epoch` and `step` sit where the alphabet puts them, as in
 * Lightning 2.6); a new key rewrites the file with the wider header. Rows are buffered and written every
 * `flushLogsEveryNSteps` steps, on `save()` and on `finalize()`.
 */
export class CSVLogger extends BaseLogger {
  /** File name of the metrics table. */
  static readonly metricsFileName = 'metrics.csv';
  /** File name of the hyperparameters. */
  static readonly hparamsFileName = 'hparams.yaml';
  /** Hyperparameters logged so far (merged). */
  readonly hparams: Record<string, unknown> = {};
  private readonly fs: LogFileSystem;
  private readonly run: VersionedRunDir;
  private readonly prefix: string;
  private readonly flushEvery: number;
  private buffer: Array<Record<string, number>> = [];
  private columns: string[] = [];
  private rowsLogged = 0;
  private lastFlushedStep = -1;
  private fileStarted = false;

  constructor(options: CSVLoggerOptions) {
    super(options.rank);
    this.fs = options.fs ?? platform.logFileSystem;
    this.run = new VersionedRunDir(this.fs, options.saveDir, options.name ?? 'lightning_logs', options.version);
    this.prefix = options.prefix ?? '';
    this.flushEvery = Math.max(1, options.flushLogsEveryNSteps ?? 100);
  }

  /** Experiment name. */
  get name(): string {
    return this.run.name;
  }
  /** Run version (resolved on first access). */
  get version(): number | string {
    return this.run.version;
  }
  /** Directory the experiment folders live in. */
  get saveDir(): string {
    return this.run.saveDir;
  }
  /** `saveDir/name`. */
  get rootDir(): string {
    return this.run.rootDir;
  }
  /** `saveDir/name/version_N`. */
  get logDir(): string {
    return this.run.logDir;
  }
  /** Path of metrics.csv. */
  get metricsFilePath(): string {
    return joinPath(this.logDir, CSVLogger.metricsFileName);
  }

  logMetrics(metrics: Record<string, number>, step?: number): void {
    if (!this.isRankZero) return;
    const row = prefixMetrics(metrics, this.prefix, 'CSVLogger');
    const at = step === undefined ? this.rowsLogged : checkStep(step, 'CSVLogger');
    row.step = at;
    this.buffer.push(row);
    this.rowsLogged += 1;
    if (Math.floor((at + 1) / this.flushEvery) > Math.floor((this.lastFlushedStep + 1) / this.flushEvery)) this.save();
  }

  /** Merge and rewrite hparams.yaml now; `metrics`, when given, are logged as a row at step 0 (as Lightning's TB logger). */
  logHyperparams(params: Record<string, unknown>, metrics?: Record<string, number>): void {
    if (!this.isRankZero) return;
    Object.assign(this.hparams, params);
    this.fs.mkdir(this.logDir);
    saveHparamsToYaml(this.fs, joinPath(this.logDir, CSVLogger.hparamsFileName), this.hparams);
    if (metrics !== undefined && Object.keys(metrics).length > 0) this.logMetrics(metrics, 0);
  }

  /** Write buffered rows (rewriting the file when new columns appeared). */
  save(): void {
    if (!this.isRankZero || this.buffer.length === 0) return;
    const path = this.metricsFilePath;
    const before = new Set(this.columns);
    const added = new Set<string>();
    for (const row of this.buffer) for (const key of Object.keys(row)) if (!before.has(key)) added.add(key);
    const oldColumns = this.columns;
    this.columns = [...oldColumns, ...added].sort(compareCodePoints);
    if (!this.fileStarted) {
      this.fs.mkdir(this.logDir);
      if (this.fs.exists(path)) console.warn(`CSVLogger: ${path} exists and will be overwritten by this run.`);
      this.fs.writeFile(path, formatCsvLine(this.columns));
      this.fileStarted = true;
    } else if (added.size > 0) {
      this.rewriteWithHeader(path, oldColumns);
    }
    this.fs.appendFile(path, this.buffer.map((row) => this.formatRow(row)).join(''));
    for (const row of this.buffer) this.lastFlushedStep = Math.max(this.lastFlushedStep, row.step ?? 0);
    this.buffer = [];
  }

  finalize(_status: LoggerStatus): void {
    this.save();
  }

  private formatRow(row: Record<string, number>): string {
    return formatCsvLine(this.columns.map((c) => (row[c] === undefined ? '' : formatCsvNumber(row[c]))));
  }

  private rewriteWithHeader(path: string, oldColumns: string[]): void {
    const [, ...lines] = parseCsv(readTextFile(this.fs, path));
    const index = new Map(oldColumns.map((c, i) => [c, i]));
    const body = lines.map((fields) => formatCsvLine(this.columns.map((c) => fields[index.get(c) ?? -1] ?? '')));
    this.fs.writeFile(path, formatCsvLine(this.columns) + body.join(''));
  }
}
