/** JsonlLogger: one JSON object per event in `metrics.jsonl`, appended immediately so a dashboard can tail it. */
import { joinPath, readTextFile, type LogFileSystem } from './file-system.js';
import { saveHparamsToYaml, toPlainData } from './hparams-file.js';
import { BaseLogger, checkStep, prefixMetrics, type CheckpointInfo, type LoggerStatus } from './logger.js';
import { platform } from '../platform/platform.js';
import { VersionedRunDir } from './versioning.js';

/** A metric value in JSONL: a number, or `"NaN"`/`"Infinity"`/`"-Infinity"` (JSON has no non-finite numbers). */
export type JsonlNumber = number | 'NaN' | 'Infinity' | '-Infinity';

/** One line of metrics.jsonl. `timestamp` is milliseconds since the Unix epoch. */
export type JsonlRecord =
  | { type: 'metrics'; step: number; epoch?: JsonlNumber; metrics: Record<string, JsonlNumber>; timestamp: number }
  | { type: 'hparams'; params: Record<string, unknown>; metrics?: Record<string, JsonlNumber>; timestamp: number }
  | { type: 'status'; status: LoggerStatus; timestamp: number }
  | { type: 'checkpoint'; checkpoint: CheckpointInfo; timestamp: number };

/** Options of `JsonlLogger`. */
export interface JsonlLoggerOptions {
  /** Directory the experiment folders live in (required). */
  saveDir: string;
  /** Experiment name; `''` puts versions directly in `saveDir`. Default: `'lightning_logs'`. */
  name?: string;
  /** Version number or folder name. Default: the next free `version_<n>`. */
  version?: number | string;
  /** Prepended to every metric name with `-`. Default: `''`. */
  prefix?: string;
  /** File system to write through. Default: the platform's (`node:fs`; memory in a browser). */
  fs?: LogFileSystem;
  /** Clock in milliseconds. Default: `Date.now`. */
  now?: () => number;
  /** Global rank of this process (only rank 0 writes). Default: 0. */
  rank?: number;
}

function encodeNumber(v: number): JsonlNumber {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

/** Decode a `JsonlNumber` back to a number. */
export function decodeJsonlNumber(v: JsonlNumber): number {
  return typeof v === 'number' ? v : Number(v);
}

/**
 * Appends one JSON line per `logMetrics`/`logHyperparams`/`finalize`/`afterSaveCheckpoint` call to
 * `logDir/metrics.jsonl` (written at once, no buffering). An `epoch` metric moves to the record's `epoch` field.
 * `logHyperparams` also writes `hparams.yaml`.
 */
export class JsonlLogger extends BaseLogger {
  /** File name of the event stream. */
  static readonly fileName = 'metrics.jsonl';
  /** Hyperparameters logged so far (merged). */
  readonly hparams: Record<string, unknown> = {};
  private readonly fs: LogFileSystem;
  private readonly run: VersionedRunDir;
  private readonly prefix: string;
  private readonly now: () => number;
  private rowsLogged = 0;
  private started = false;

  constructor(options: JsonlLoggerOptions) {
    super(options.rank);
    this.fs = options.fs ?? platform.logFileSystem;
    this.run = new VersionedRunDir(this.fs, options.saveDir, options.name ?? 'lightning_logs', options.version);
    this.prefix = options.prefix ?? '';
    this.now = options.now ?? Date.now;
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
  /** Path of metrics.jsonl. */
  get filePath(): string {
    return joinPath(this.logDir, JsonlLogger.fileName);
  }

  logMetrics(metrics: Record<string, number>, step?: number): void {
    if (!this.isRankZero) return;
    const { epoch, ...rest } = prefixMetrics(metrics, this.prefix, 'JsonlLogger');
    const at = step === undefined ? this.rowsLogged : checkStep(step, 'JsonlLogger');
    this.rowsLogged += 1;
    const encoded = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, encodeNumber(v)]));
    this.append({
      type: 'metrics',
      step: at,
      ...(epoch === undefined ? {} : { epoch: encodeNumber(epoch) }),
      metrics: encoded,
      timestamp: this.now(),
    });
  }

  logHyperparams(params: Record<string, unknown>, metrics?: Record<string, number>): void {
    if (!this.isRankZero) return;
    Object.assign(this.hparams, params);
    const plain = toPlainData(params) as Record<string, unknown>;
    const record: JsonlRecord = { type: 'hparams', params: plain, timestamp: this.now() };
    if (metrics !== undefined) record.metrics = Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, encodeNumber(v)]));
    this.append(record);
    saveHparamsToYaml(this.fs, joinPath(this.logDir, 'hparams.yaml'), this.hparams);
  }

  afterSaveCheckpoint(info: CheckpointInfo): void {
    if (!this.isRankZero) return;
    this.append({ type: 'checkpoint', checkpoint: info, timestamp: this.now() });
  }

  /** Nothing is buffered: every record is already written. */
  save(): void {}

  finalize(status: LoggerStatus): void {
    if (!this.isRankZero) return;
    this.append({ type: 'status', status, timestamp: this.now() });
  }

  private append(record: JsonlRecord): void {
    if (!this.started) {
      this.fs.mkdir(this.logDir);
      this.fs.writeFile(this.filePath, '');
      this.started = true;
    }
    this.fs.appendFile(this.filePath, `${JSON.stringify(record)}\n`);
  }
}

/** Read every record of a metrics.jsonl (skips a trailing partial line, as a tailing reader would). */
export function readJsonl(fs: LogFileSystem, path: string): JsonlRecord[] {
  const text = readTextFile(fs, path);
  const lines = text.split('\n');
  lines.pop();
  return lines.filter((l) => l !== '').map((l) => JSON.parse(l) as JsonlRecord);
}
