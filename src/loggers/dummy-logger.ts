/** DummyLogger: accepts every call and does nothing (Lightning uses it for `fastDevRun`). */
import type { Logger, LoggerStatus } from './logger.js';

/** A logger that swallows everything. */
export class DummyLogger implements Logger {
  /** Always `''`. */
  readonly name = '';
  /** Always `''`. */
  readonly version = '';
  /** Separator that groups metric names. */
  readonly groupSeparator = '/';
  /** Ignored. */
  rank = 0;
  logMetrics(_metrics: Record<string, number>, _step?: number): void {}
  logHyperparams(_params: Record<string, unknown>, _metrics?: Record<string, number>): void {}
  logGraph(_model: unknown, _inputExample?: unknown): void {}
  save(): void {}
  finalize(_status: LoggerStatus): void {}
  afterSaveCheckpoint(): void {}
}
