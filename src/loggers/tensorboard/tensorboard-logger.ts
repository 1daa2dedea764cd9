/** TensorBoardLogger: event files TensorBoard opens (scalars, text, histograms, images, hparams) + hparams.yaml. */
import { joinPath, type LogFileSystem } from '../file-system.js';
import { flattenHparams, saveHparamsToYaml } from '../hparams-file.js';
import { BaseLogger, checkStep, prefixMetrics, type LoggerStatus } from '../logger.js';
import { platform } from '../../platform/platform.js';
import { VersionedRunDir } from '../versioning.js';
import { EventFileWriter } from './event-file-writer.js';
import type { DeflateFunction, RawImage } from './png.js';
import { experimentValue, histogramValue, imageValue, scalarValue, sessionEndValue, sessionStartValue, textValue } from './summaries.js';

/** Options of `TensorBoardLogger`. */
export interface TensorBoardLoggerOptions {
  /** Directory the experiment folders live in (required). */
  saveDir: string;
  /** Experiment name; `''` puts versions directly in `saveDir`. Default: `'lightning_logs'`. */
  name?: string;
  /** Version number or folder name. Default: the next free `version_<n>`. */
  version?: number | string;
  /** Prepended to every metric name with `-`. Default: `''`. */
  prefix?: string;
  /** Extra folder under the version folder for the event file (`logDir` includes it). Default: none. */
  subDir?: string;
  /** File system to write through. Default: the platform's (`node:fs`; memory in a browser). */
  fs?: LogFileSystem;
  /** zlib compression for PNG images. Default: `node:zlib` in Node, stored (uncompressed) deflate blocks in a browser. */
  deflate?: DeflateFunction;
  /** Host name in the event file name. Default: this machine's. */
  hostname?: string;
  /** Process id in the event file name. Default: this process's. */
  pid?: number;
  /** Clock in milliseconds (wall times of events). Default: `Date.now`. */
  now?: () => number;
  /** Events buffered before writing (TensorFlow's `max_queue`). Default: 10. */
  maxQueueSize?: number;
  /** Global rank of this process (only rank 0 writes). Default: 0. */
  rank?: number;
}

/**
 * Writes TensorBoard event files like Lightning's TensorBoardLogger, without the `hp_metric = -1` placeholder:
 * `logHyperparams(params, metrics)` writes the hparams session at once and names the metrics to show next to the
 * hyperparameters; `finalize` writes the experiment summary listing those tags (every scalar tag logged, except
 * `epoch`, when none were named) and the session end status. TensorBoard's hparams table shows each tag's latest value.
 */
export class TensorBoardLogger extends BaseLogger {
  /** File name of the hyperparameters. */
  static readonly hparamsFileName = 'hparams.yaml';
  /** Hyperparameters logged so far (merged, as given). */
  readonly hparams: Record<string, unknown> = {};
  private readonly fs: LogFileSystem;
  private readonly run: VersionedRunDir;
  private readonly prefix: string;
  private readonly subDir: string;
  private readonly deflate: DeflateFunction;
  private readonly now: () => number;
  private readonly hostname: string;
  private readonly pid: number;
  private readonly maxQueueSize: number;
  private writer: EventFileWriter | undefined;
  private readonly latestScalars = new Map<string, number>();
  private readonly hparamMetricTags = new Set<string>();
  private sessionStarted = false;
  private hparamsDirty = false;
  private metricsCalls = 0;
  private finalized = false;

  constructor(options: TensorBoardLoggerOptions) {
    super(options.rank);
    this.fs = options.fs ?? platform.logFileSystem;
    this.run = new VersionedRunDir(this.fs, options.saveDir, options.name ?? 'lightning_logs', options.version);
    this.prefix = options.prefix ?? '';
    this.subDir = options.subDir ?? '';
    this.deflate = options.deflate ?? platform.deflate;
    this.now = options.now ?? Date.now;
    this.hostname = options.hostname ?? platform.hostname();
    this.pid = options.pid ?? platform.pid();
    this.maxQueueSize = Math.max(1, options.maxQueueSize ?? 10);
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
  /** `saveDir/name/version_N[/subDir]`: where the event file and hparams.yaml go. */
  get logDir(): string {
    return joinPath(this.run.logDir, this.subDir);
  }
  /** Path of the event file, once something was logged. */
  get eventFilePath(): string | undefined {
    return this.writer?.filePath;
  }

  logMetrics(metrics: Record<string, number>, step?: number): void {
    if (!this.isRankZero) return;
    const at = step === undefined ? this.metricsCalls : checkStep(step, 'TensorBoardLogger');
    this.metricsCalls += 1;
    const entries = Object.entries(prefixMetrics(metrics, this.prefix, 'TensorBoardLogger'));
    if (entries.length === 0) return;
    for (const [tag, value] of entries) this.latestScalars.set(tag, value);
    this.events().addSummary(entries.map(([tag, value]) => scalarValue(tag, value)), at);
  }

  /**
   * Record hyperparameters (nested objects flatten to `a/b`) and, optionally, the metrics to show beside them in
   * TensorBoard's HPARAMS tab; their values given here are logged as scalars at step 0. TensorBoard keeps the first
   * session summary of a run, so later calls update hparams.yaml and the metric list, not the values TB shows.
   */
  logHyperparams(params: Record<string, unknown>, metrics?: Record<string, number>): void {
    if (!this.isRankZero) return;
    Object.assign(this.hparams, params);
    this.hparamsDirty = true;
    for (const tag of Object.keys(prefixMetrics(metrics ?? {}, this.prefix, 'TensorBoardLogger'))) this.hparamMetricTags.add(tag);
    if (!this.sessionStarted) {
      this.events().addSummary([sessionStartValue(flattenHparams(this.hparams), this.now() / 1000)], 0);
      this.sessionStarted = true;
    } else {
      console.warn('TensorBoardLogger: hyperparameters were logged twice; TensorBoard shows the values of the first call.');
    }
    if (metrics !== undefined && Object.keys(metrics).length > 0) this.logMetrics(metrics, 0);
  }

  /** Log a text (Markdown) summary. */
  logText(tag: string, text: string, step = 0): void {
    if (this.isRankZero) this.events().addSummary([textValue(tag, text)], checkStep(step, 'TensorBoardLogger'));
  }

  /** Log a histogram of `values` with TensorFlow's default buckets (non-finite values are skipped). */
  logHistogram(tag: string, values: ArrayLike<number>, step = 0): void {
    if (this.isRankZero) this.events().addSummary([histogramValue(tag, values)], checkStep(step, 'TensorBoardLogger'));
  }

  /** Log an 8-bit image (encoded as PNG). */
  logImage(tag: string, image: RawImage, step = 0): void {
    if (this.isRankZero) this.events().addSummary([imageValue(tag, image, this.deflate)], checkStep(step, 'TensorBoardLogger'));
  }

  /** The latest value of each metric shown beside the hyperparameters (what the HPARAMS tab will display). */
  hparamMetricValues(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const tag of this.metricTags()) {
      const v = this.latestScalars.get(tag);
      if (v !== undefined) out[tag] = v;
    }
    return out;
  }

  /** Write buffered events and (re)write hparams.yaml when hyperparameters changed or it is missing. */
  save(): void {
    if (!this.isRankZero) return;
    this.writer?.flush();
    const path = joinPath(this.logDir, TensorBoardLogger.hparamsFileName);
    if (this.hparamsDirty || (this.writer !== undefined && !this.fs.exists(path))) {
      this.fs.mkdir(this.logDir);
      saveHparamsToYaml(this.fs, path, this.hparams);
      this.hparamsDirty = false;
    }
  }

  /** Write the hparams experiment and session end (when hyperparameters were logged), then save. */
  finalize(status: LoggerStatus): void {
    if (!this.isRankZero) return;
    if (this.sessionStarted && !this.finalized) {
      const seconds = this.now() / 1000;
      this.events().addSummary([experimentValue(flattenHparams(this.hparams), this.metricTags(), seconds), sessionEndValue(status, seconds)], 0);
      this.finalized = true;
    }
    this.save();
  }

  private metricTags(): string[] {
    if (this.hparamMetricTags.size > 0) return [...this.hparamMetricTags];
    return [...this.latestScalars.keys()].filter((t) => t !== 'epoch' && t !== 'step');
  }

  private events(): EventFileWriter {
    this.writer ??= new EventFileWriter({
      fs: this.fs,
      logDir: this.logDir,
      now: this.now,
      hostname: this.hostname,
      pid: this.pid,
      maxQueueSize: this.maxQueueSize,
    });
    return this.writer;
  }
}
