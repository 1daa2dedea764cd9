/**
 * How progress bars reach the screen: a `ProgressRenderer` draws named bars. The terminal renderer (Node,
 * `cli-progress`) redraws in place; `PlainLineRenderer` prints periodic plain lines for CI logs and files.
 */

/** Where progress output goes: a TTY redraws in place, anything else gets plain lines. */
export interface ProgressStream {
  /** Whether the output is an interactive terminal. */
  readonly isTTY: boolean;
  /** Terminal width in characters, when known. */
  readonly columns?: number | undefined;
  /** Write text as is. */
  write(text: string): void;
}

/** What one bar shows at a refresh. */
export interface BarState {
  /** Left label, e.g. `Epoch 3` or `Validation`. */
  description: string;
  /** Batches done. */
  current: number;
  /** Batches in total (Infinity when the data has no length). */
  total: number;
  /** Milliseconds since the bar started. */
  elapsedMs: number;
  /** Metrics as `key=value` pairs, already formatted. */
  postfix: string;
}

/** Draws named bars (`train`, `validation`, `sanity`, `test`, `predict`). */
export interface ProgressRenderer {
  /** Create the bar `key`, or reset it when it exists. */
  start(key: string, state: BarState): void;
  /** Show new values (every `refreshRate` batches); a `milestone` (epoch end) is always printed by line renderers. */
  update(key: string, state: BarState, milestone?: boolean): void;
  /** End the bar: keep its last line on screen (`leave`) or erase it. */
  finish(key: string, state: BarState, leave: boolean): void;
  /** Print a line without breaking the bars. */
  print(text: string): void;
  /** Stop every bar and release timers (the run ended or failed). */
  close(): void;
}

/** Items per second over `elapsedMs` (0 before any time passed). */
export function rateOf(state: BarState): number {
  return state.elapsedMs > 0 ? (state.current * 1000) / state.elapsedMs : 0;
}

/** `mm:ss` (or `h:mm:ss`) for a duration in milliseconds. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** `12.3it/s`, or `s/it` when slower than one item per second (tqdm's convention). */
export function formatRate(rate: number): string {
  if (rate <= 0) return '?it/s';
  return rate >= 1 ? `${rate.toFixed(2)}it/s` : `${(1 / rate).toFixed(2)}s/it`;
}

/** Milliseconds left at the current rate (NaN when unknown). */
export function etaMs(state: BarState): number {
  const rate = rateOf(state);
  if (!Number.isFinite(state.total) || rate <= 0) return Number.NaN;
  return (Math.max(0, state.total - state.current) * 1000) / rate;
}

/** A metric value as the bar shows it: 3 significant digits for floats, integers and strings as they are. */
export function formatMetric(value: number | string): string {
  if (typeof value === 'string' || Number.isInteger(value)) return String(value);
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e5)) return value.toExponential(2);
  return String(Number(value.toPrecision(3)));
}

/** One plain line: `Epoch 0:  50% 16/32 [00:01<00:01, 12.30it/s, v_num=0, loss=0.512]`. */
export function formatPlainLine(state: BarState): string {
  const known = Number.isFinite(state.total) && state.total > 0;
  const pct = known ? `${String(Math.floor((100 * state.current) / state.total)).padStart(3)}% ` : '';
  const count = known ? `${state.current}/${state.total}` : `${state.current}`;
  const timing = `${formatDuration(state.elapsedMs)}<${formatDuration(etaMs(state))}, ${formatRate(rateOf(state))}`;
  const post = state.postfix === '' ? '' : `, ${state.postfix}`;
  return `${state.description}: ${pct}${count} [${timing}${post}]`;
}

/** Prints one plain line per bar at most every `intervalMs`, plus final lines: no escape codes, no carriage returns. */
export class PlainLineRenderer implements ProgressRenderer {
  private readonly lastPrintMs = new Map<string, number>();
  private readonly lastLine = new Map<string, string>();

  /** `intervalMs`: minimum time between two lines of the same bar (0 prints at every refresh). */
  constructor(
    private readonly stream: ProgressStream,
    private readonly intervalMs: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  start(key: string): void {
    this.lastPrintMs.set(key, this.now());
  }

  update(key: string, state: BarState, milestone = false): void {
    const last = this.lastPrintMs.get(key) ?? 0;
    const t = this.now();
    if (!milestone && t - last < this.intervalMs) return;
    this.lastPrintMs.set(key, t);
    this.write(key, state);
  }

  finish(key: string, state: BarState, leave: boolean): void {
    this.lastPrintMs.delete(key);
    if (leave) this.write(key, state);
    this.lastLine.delete(key);
  }

  /** Print the bar's line unless it is the same as the last one printed (no duplicates at epoch and fit end). */
  private write(key: string, state: BarState): void {
    const line = formatPlainLine({ ...state, elapsedMs: 0 });
    if (this.lastLine.get(key) === line) return;
    this.lastLine.set(key, line);
    this.stream.write(`${formatPlainLine(state)}\n`);
  }

  print(text: string): void {
    this.stream.write(`${text}\n`);
  }

  close(): void {
    this.lastPrintMs.clear();
    this.lastLine.clear();
  }
}
