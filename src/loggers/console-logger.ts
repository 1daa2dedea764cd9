/** ConsoleLogger: one compact line per `logMetrics` call, printed (browser devtools, a Node terminal, or any sink). */
import { describeValue } from '../errors.js';
import { BaseLogger, checkStep, prefixMetrics, type CheckpointInfo, type LoggerStatus } from './logger.js';

/** Options of `ConsoleLogger`. */
export interface ConsoleLoggerOptions {
  /** Experiment name, at the start of every line. Default: `'console'`. */
  name?: string;
  /** Version, printed after the name as `v<version>`. Default: 0. */
  version?: number | string;
  /** Prepended to every metric name with `-`. Default: `''`. */
  prefix?: string;
  /** Global rank of this process (only rank 0 prints). Default: 0. */
  rank?: number;
  /** Where lines go. Default: `console.log`. */
  print?: (line: string) => void;
  /** Significant digits of non-integer values. Default: 4. */
  precision?: number;
}

/** A number in few characters: integers as they are, others with `precision` significant digits. */
export function formatMetricValue(value: number, precision: number): string {
  if (Number.isInteger(value) || !Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(precision)));
}

/** A hyperparameter value in a short, single-line form. */
function formatParam(value: unknown): string {
  if (value === null || ['string', 'number', 'boolean', 'bigint', 'undefined'].includes(typeof value)) return typeof value === 'string' ? value : String(value);
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  } catch {
    // Cycles and BigInts inside objects fall through to a description.
  }
  return describeValue(value);
}

/**
 * Prints metrics as `[name v0] step 12 | train_loss=0.4821 epoch=0`, hyperparameters once as
 * `[name v0] hparams | lr=0.01 hidden=64`, and the run's end status.
 *
 * @example
 * const trainer = new Trainer({ logger: new ConsoleLogger({ name: 'mnist' }), logEveryNSteps: 10 });
 */
export class ConsoleLogger extends BaseLogger {
  readonly name: string;
  readonly version: number | string;
  private readonly prefix: string;
  private readonly print: (line: string) => void;
  private readonly precision: number;
  private readonly printedParams = new Map<string, string>();
  private rows = 0;

  constructor(options: ConsoleLoggerOptions = {}) {
    super(options.rank);
    this.name = options.name ?? 'console';
    this.version = options.version ?? 0;
    this.prefix = options.prefix ?? '';
    this.print = options.print ?? ((line: string) => console.log(line));
    this.precision = options.precision ?? 4;
  }

  /** The `[name v0]` tag that starts every line. */
  get tag(): string {
    return `[${this.name} v${this.version}]`;
  }

  logMetrics(metrics: Record<string, number>, step?: number): void {
    if (!this.isRankZero) return;
    const at = step === undefined ? this.rows : checkStep(step, 'ConsoleLogger');
    this.rows += 1;
    const values = Object.entries(prefixMetrics(metrics, this.prefix, 'ConsoleLogger'));
    if (values.length === 0) return;
    const fields = values.map(([key, value]) => `${key}=${formatMetricValue(value, this.precision)}`);
    this.print(`${this.tag} step ${at} | ${fields.join(' ')}`);
  }

  /** Prints the parameters not printed before with the same value (the Trainer logs them at every fit). */
  logHyperparams(params: Record<string, unknown>, metrics?: Record<string, number>): void {
    if (!this.isRankZero) return;
    const fresh: string[] = [];
    for (const [key, value] of Object.entries(params)) {
      const text = formatParam(value);
      if (this.printedParams.get(key) === text) continue;
      this.printedParams.set(key, text);
      fresh.push(`${key}=${text}`);
    }
    for (const [key, value] of Object.entries(metrics ?? {})) fresh.push(`${key}=${formatMetricValue(value, this.precision)}`);
    if (fresh.length > 0) this.print(`${this.tag} hparams | ${fresh.join(' ')}`);
  }

  afterSaveCheckpoint(info: CheckpointInfo): void {
    if (!this.isRankZero || info.savedPath === undefined) return;
    const score = info.bestModelScore === undefined || info.monitor === undefined ? '' : ` (best ${info.monitor}=${formatMetricValue(info.bestModelScore, this.precision)})`;
    this.print(`${this.tag} checkpoint | ${info.savedPath}${score}`);
  }

  save(): void {}

  finalize(status: LoggerStatus): void {
    if (this.isRankZero) this.print(`${this.tag} ${status}`);
  }
}
