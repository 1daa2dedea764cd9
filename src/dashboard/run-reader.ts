/** One run folder read incrementally: metrics.jsonl (tailed) or metrics.csv (re-read when it changes), hparams, status. */
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseCsv } from '../loggers/csv.js';
import { chartValue, parseJsonlLine, type DashboardJsonlRecord } from './jsonl-records.js';
import { LineTail } from './line-tail.js';
import type { BestCheckpoint, PointsEvent, RunData, RunSource, RunStatus, RunSummary, SeriesPoints } from './run-types.js';

/** What changed in a run at one `refresh()`. */
export interface RunChange {
  /** The run was reloaded from scratch (file rewritten): clients reload it. */
  isReset: boolean;
  /** Points appended since the last refresh (none after a reset). */
  points: PointsEvent | null;
}

const MAX_NOTICES = 20;

function mtimeOf(path: string): number | null {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

function csvNumber(field: string): number | null | undefined {
  if (field === '') return undefined;
  const n = field === 'nan' ? NaN : field === 'inf' ? Infinity : field === '-inf' ? -Infinity : Number(field);
  if (Number.isNaN(n) && field !== 'nan') return undefined;
  return Number.isFinite(n) ? n : null;
}

/** Reads one run folder; call `refresh()` to pick up what was written since. */
export class RunReader {
  private series = new Map<string, SeriesPoints>();
  private sent = new Map<string, number>();
  private hparamsFromJsonl: Record<string, unknown> = {};
  private hparamsFromYaml: Record<string, unknown> = {};
  private yamlMtime: number | null = null;
  private status: RunStatus | null = null;
  private best: BestCheckpoint | null = null;
  private firstTime: number | null = null;
  private lastTime: number | null = null;
  private records = 0;
  private lastStep: number | null = null;
  private notices: string[] = [];
  private noticeCount = 0;
  private pendingNotice: string | null = null;
  private readonly tail: LineTail;
  private csvStamp = '';
  private csvHeader = '';
  private csvRows = 0;

  constructor(
    /** Run id: the folder relative to the log dir. */
    readonly id: string,
    /** Absolute path of the run folder. */
    readonly dir: string,
    private readonly idleAfterMs: number,
  ) {
    this.tail = new LineTail(join(dir, 'metrics.jsonl'));
  }

  /** Where the metrics come from now (JSON lines preferred, CSV as fallback). */
  get source(): RunSource {
    if (mtimeOf(this.tail.path) !== null) return 'jsonl';
    return mtimeOf(join(this.dir, 'metrics.csv')) !== null ? 'csv' : 'none';
  }

  /** Read what was written since the last call. */
  refresh(): RunChange {
    this.refreshYaml();
    const source = this.source;
    if (source === 'jsonl') return this.refreshJsonl();
    if (source === 'csv') return this.refreshCsv();
    return { isReset: false, points: null };
  }

  /** The run-list row. */
  summary(now: number): RunSummary {
    const parts = this.id === '.' ? [] : this.id.split('/');
    const version = parts.pop() ?? basename(this.dir);
    const source = this.source;
    const fileTime = source === 'jsonl' ? this.tail.mtimeMs : source === 'csv' ? mtimeOf(join(this.dir, 'metrics.csv')) : this.yamlMtime;
    const lastTime = source === 'jsonl' ? this.lastTime : fileTime;
    const startTime = this.firstTime ?? this.folderTime();
    const lastWrite = fileTime ?? lastTime ?? startTime;
    const status = this.status ?? (lastWrite !== null && now - lastWrite < this.idleAfterMs ? 'running' : 'idle');
    const notices = [...this.notices];
    if (this.noticeCount > this.notices.length) notices.push(`… and ${this.noticeCount - this.notices.length} more skipped lines`);
    if (this.pendingNotice !== null) notices.push(this.pendingNotice);
    return {
      id: this.id,
      name: parts.join('/'),
      version,
      source,
      status,
      startTime,
      lastTime: lastTime ?? startTime,
      durationMs: startTime !== null && lastTime !== null ? Math.max(0, lastTime - startTime) : null,
      bestCheckpoint: this.best,
      records: this.records,
      lastStep: this.lastStep,
      notices,
    };
  }

  /** Everything read so far. */
  data(now: number): RunData {
    const hparams = Object.keys(this.hparamsFromJsonl).length > 0 ? this.hparamsFromJsonl : this.hparamsFromYaml;
    return { summary: this.summary(now), hparams, series: Object.fromEntries(this.series) };
  }

  private folderTime(): number | null {
    try {
      const st = statSync(this.dir);
      return st.birthtimeMs > 0 ? st.birthtimeMs : st.mtimeMs;
    } catch {
      return null;
    }
  }

  private notice(message: string): void {
    this.noticeCount += 1;
    if (this.notices.length < MAX_NOTICES) this.notices.push(message);
  }

  private clear(): void {
    this.series = new Map();
    this.sent = new Map();
    this.hparamsFromJsonl = {};
    this.status = null;
    this.best = null;
    this.firstTime = null;
    this.lastTime = null;
    this.records = 0;
    this.lastStep = null;
    this.notices = [];
    this.noticeCount = 0;
  }

  private refreshYaml(): void {
    const path = join(this.dir, 'hparams.yaml');
    const mtime = mtimeOf(path);
    if (mtime === null || mtime === this.yamlMtime) return;
    this.yamlMtime = mtime;
    try {
      const parsed: unknown = parseYaml(readFileSync(path, 'utf8'));
      this.hparamsFromYaml = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
    } catch (e) {
      this.notice(`hparams.yaml could not be read: ${(e as Error).message.split('\n')[0] ?? ''}`);
    }
  }

  private refreshJsonl(): RunChange {
    const read = this.tail.read();
    if (read.wasReset) this.clear();
    read.lines.forEach((line, i) => {
      if (line.trim() === '') return;
      const parsed = parseJsonlLine(line);
      if (parsed.ok) this.apply(parsed.record);
      else this.notice(`metrics.jsonl line ${read.firstLineNumber + i}: ${parsed.reason}; skipped`);
    });
    this.pendingNotice =
      read.pendingBytes > 0 ? `metrics.jsonl ends in an incomplete line (${read.pendingBytes} bytes), not shown until it is completed` : null;
    return { isReset: read.wasReset, points: read.wasReset ? null : this.takePoints() };
  }

  private apply(record: DashboardJsonlRecord): void {
    this.firstTime ??= record.timestamp;
    this.lastTime = Math.max(this.lastTime ?? record.timestamp, record.timestamp);
    if (record.type === 'metrics') {
      this.records += 1;
      this.lastStep = Math.max(this.lastStep ?? record.step, record.step);
      const epoch = record.epoch === undefined ? null : chartValue(record.epoch);
      for (const [name, v] of Object.entries(record.metrics)) this.push(name, record.step, epoch, chartValue(v));
    } else if (record.type === 'hparams') {
      Object.assign(this.hparamsFromJsonl, record.params);
    } else if (record.type === 'status') {
      this.status = record.status;
    } else {
      const c = record.checkpoint;
      if (c.bestModelPath !== undefined || c.bestModelScore !== undefined) {
        this.best = { path: c.bestModelPath ?? null, score: c.bestModelScore ?? null, monitor: c.monitor ?? null };
      }
    }
  }

  private push(name: string, step: number, epoch: number | null, value: number | null): void {
    let s = this.series.get(name);
    if (s === undefined) {
      s = { step: [], epoch: [], value: [] };
      this.series.set(name, s);
    }
    s.step.push(step);
    s.epoch.push(epoch);
    s.value.push(value);
  }

  private takePoints(): PointsEvent | null {
    const out: PointsEvent = { run: this.id, series: {} };
    for (const [name, s] of this.series) {
      const from = this.sent.get(name) ?? 0;
      if (from >= s.step.length) continue;
      out.series[name] = { offset: from, step: s.step.slice(from), epoch: s.epoch.slice(from), value: s.value.slice(from) };
      this.sent.set(name, s.step.length);
    }
    return Object.keys(out.series).length > 0 ? out : null;
  }

  private refreshCsv(): RunChange {
    const path = join(this.dir, 'metrics.csv');
    let text: string;
    let stamp: string;
    try {
      const st = statSync(path);
      stamp = `${st.size}:${st.mtimeMs}`;
      if (stamp === this.csvStamp) return { isReset: false, points: null };
      text = readFileSync(path, 'utf8');
    } catch {
      return { isReset: false, points: null };
    }
    this.csvStamp = stamp;
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    this.pendingNotice = complete.length < text.length ? 'metrics.csv ends in an incomplete row, not shown until it is completed' : null;
    const [header = [], ...rows] = parseCsv(complete);
    const headerKey = header.join(',');
    const isReset = this.csvHeader !== '' && (headerKey !== this.csvHeader || rows.length < this.csvRows);
    if (isReset) {
      this.clear();
      this.csvRows = 0;
    }
    this.csvHeader = headerKey;
    rows.slice(this.csvRows).forEach((fields, i) => this.applyCsvRow(header, fields, this.csvRows + i + 2));
    this.csvRows = rows.length;
    return { isReset, points: isReset ? null : this.takePoints() };
  }

  private applyCsvRow(header: string[], fields: string[], lineNumber: number): void {
    const cells = new Map(header.map((col, i) => [col, fields[i] ?? '']));
    const step = csvNumber(cells.get('step') ?? '');
    if (typeof step !== 'number') {
      this.notice(`metrics.csv row ${lineNumber}: no numeric "step"; skipped`);
      return;
    }
    const epoch = csvNumber(cells.get('epoch') ?? '') ?? null;
    this.records += 1;
    this.lastStep = Math.max(this.lastStep ?? step, step);
    for (const [col, field] of cells) {
      if (col === 'step' || col === 'epoch') continue;
      const v = csvNumber(field);
      if (v !== undefined) this.push(col, step, epoch, v);
    }
  }
}
