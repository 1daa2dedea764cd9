/** Finds the runs under a log dir and keeps one `RunReader` per run; `refresh()` reports what changed since the last call. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RunReader } from './run-reader.js';
import type { PointsEvent, RunData, RunSummary } from './run-types.js';

/** Files whose presence makes a folder a run. */
export const RUN_MARKER_FILES: readonly string[] = ['metrics.jsonl', 'metrics.csv', 'hparams.yaml'];

/** Folders never searched for runs (a run's own checkpoints, hidden folders). */
const SKIPPED_DIRS = new Set(['checkpoints', 'node_modules']);
/** Stop looking after this many folders, so a huge log dir cannot stall the server. */
const MAX_VISITED_DIRS = 10_000;

/**
 * Ids (paths relative to `logDir`, `/`-separated; `.` for `logDir` itself) of the run folders at most `maxDepth`
 * levels below `logDir`. Symbolic links are not followed and a run folder's subfolders are not searched.
 */
export function findRunDirs(logDir: string, maxDepth = 3): string[] {
  const found: string[] = [];
  let visited = 0;
  const visit = (rel: string, depth: number): void => {
    if (visited++ > MAX_VISITED_DIRS) return;
    let entries;
    try {
      entries = readdirSync(rel === '.' ? logDir : join(logDir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((e) => e.isFile() && RUN_MARKER_FILES.includes(e.name))) {
      found.push(rel);
      return;
    }
    if (depth >= maxDepth) return;
    for (const e of entries) {
      if (!e.isDirectory() || e.name.startsWith('.') || SKIPPED_DIRS.has(e.name)) continue;
      visit(rel === '.' ? e.name : `${rel}/${e.name}`, depth + 1);
    }
  };
  visit('.', 0);
  return found.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** Options of `RunStore`. */
export interface RunStoreOptions {
  /** A run with no final status and no write for this long is shown as `idle` instead of `running`. Default: 60000. */
  idleAfterMs?: number;
  /** How deep below the log dir to look for run folders. Default: 3. */
  maxDepth?: number;
  /** Clock in ms since the Unix epoch. Default: `Date.now`. */
  now?: () => number;
}

/** What one `RunStore.refresh()` found. */
export interface StoreUpdate {
  /** Runs appeared or disappeared. */
  isListChanged: boolean;
  /** Rows that changed (new runs included). */
  summaries: RunSummary[];
  /** Points appended, one event per run. */
  points: PointsEvent[];
  /** Runs reloaded from scratch. */
  resets: string[];
}

/** All runs of one log dir, read incrementally. */
export class RunStore {
  private readonly readers = new Map<string, RunReader>();
  private readonly lastSummaries = new Map<string, string>();
  private readonly idleAfterMs: number;
  private readonly maxDepth: number;
  private readonly now: () => number;

  constructor(
    /** Absolute path of the log dir. */
    readonly logDir: string,
    options: RunStoreOptions = {},
  ) {
    this.idleAfterMs = options.idleAfterMs ?? 60_000;
    this.maxDepth = options.maxDepth ?? 3;
    this.now = options.now ?? Date.now;
  }

  /** Whether the log dir exists (it may be created later; the store picks it up). */
  get hasLogDir(): boolean {
    try {
      return statSync(this.logDir).isDirectory();
    } catch {
      return false;
    }
  }

  /** Look for new runs and read what every run wrote since the last call. */
  refresh(): StoreUpdate {
    const ids = findRunDirs(this.logDir, this.maxDepth);
    const update: StoreUpdate = { isListChanged: false, summaries: [], points: [], resets: [] };
    for (const id of ids) {
      if (this.readers.has(id)) continue;
      this.readers.set(id, new RunReader(id, id === '.' ? this.logDir : join(this.logDir, ...id.split('/')), this.idleAfterMs));
      update.isListChanged = true;
    }
    const kept = new Set(ids);
    for (const id of [...this.readers.keys()]) {
      if (kept.has(id)) continue;
      this.readers.delete(id);
      this.lastSummaries.delete(id);
      update.isListChanged = true;
    }
    const now = this.now();
    for (const [id, reader] of this.readers) {
      const change = reader.refresh();
      if (change.isReset) update.resets.push(id);
      if (change.points !== null) update.points.push(change.points);
      const summary = reader.summary(now);
      const json = JSON.stringify(summary);
      if (this.lastSummaries.get(id) !== json) {
        this.lastSummaries.set(id, json);
        update.summaries.push(summary);
      }
    }
    return update;
  }

  /** Every run's row, in id order. */
  list(): RunSummary[] {
    const now = this.now();
    return this.ids().map((id) => (this.readers.get(id) as RunReader).summary(now));
  }

  /** Ids of the known runs. */
  ids(): string[] {
    return [...this.readers.keys()].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  }

  /** One run's data, or undefined for an unknown id. */
  run(id: string): RunData | undefined {
    return this.readers.get(id)?.data(this.now());
  }
}
