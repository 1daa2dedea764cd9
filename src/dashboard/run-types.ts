/** The data the dashboard server sends to its page: run summaries, scalar series and live updates (JSON-safe, no Node types). */

/** How a run stands: its logger's final status, `running` while it is still written to, `idle` when neither is known. */
export type RunStatus = 'running' | 'success' | 'failed' | 'interrupted' | 'idle';

/** Which file a run's metrics were read from. */
export type RunSource = 'jsonl' | 'csv' | 'none';

/** The best checkpoint a run reported (from its last `checkpoint` record). */
export interface BestCheckpoint {
  /** Path of the best checkpoint file, as the run wrote it. */
  path: string | null;
  /** Its monitored value. */
  score: number | null;
  /** Name of the monitored metric. */
  monitor: string | null;
}

/** One row of the run list. */
export interface RunSummary {
  /** Path of the run directory relative to the log dir, with `/` separators (`lightning_logs/version_0`). */
  id: string;
  /** Experiment name: the parent folder of the version folder. */
  name: string;
  /** Version folder name (`version_0`). */
  version: string;
  /** Which file the metrics come from. */
  source: RunSource;
  /** Final status, or `running`/`idle`. */
  status: RunStatus;
  /** Milliseconds since the Unix epoch of the first record (or the folder's creation for CSV runs). */
  startTime: number | null;
  /** Milliseconds since the Unix epoch of the last record or write. */
  lastTime: number | null;
  /** `lastTime - startTime`. */
  durationMs: number | null;
  /** Best checkpoint and score, when the run reported one. */
  bestCheckpoint: BestCheckpoint | null;
  /** Number of metric records read. */
  records: number;
  /** Largest step seen. */
  lastStep: number | null;
  /** Lines or files that could not be read, each said once (malformed lines are skipped, never fatal). */
  notices: string[];
}

/** The points of one scalar metric of one run, in logging order. Non-finite values are `null` (a gap). */
export interface SeriesPoints {
  /** Global step of each point. */
  step: number[];
  /** Epoch of each point, `null` when the record had none. */
  epoch: Array<number | null>;
  /** Value of each point. */
  value: Array<number | null>;
}

/** Everything the page needs to draw one run. */
export interface RunData {
  /** The run's row. */
  summary: RunSummary;
  /** Hyperparameters (merged `hparams` records, else hparams.yaml). */
  hparams: Record<string, unknown>;
  /** Scalar series by metric name. */
  series: Record<string, SeriesPoints>;
}

/** New points of one series; `offset` is the index of the first new point in the run's whole series. */
export interface SeriesAppend extends SeriesPoints {
  /** Index of `step[0]` in the series. */
  offset: number;
}

/** Server-sent `points` event: points appended to a run since the last event. */
export interface PointsEvent {
  /** Run id. */
  run: string;
  /** Appended points by metric name. */
  series: Record<string, SeriesAppend>;
}

/** Server-sent `reset` event: a run's file was rewritten (CSV header change, new run in the same folder); reload it. */
export interface ResetEvent {
  /** Run id. */
  run: string;
}
