/** Loop progress counters: plain, serialisable data with explicit `toJSON`/`fromJSON` (saved in checkpoints). */

/** ready → started → processed → completed counts of one kind of event. */
export interface ProgressCounts {
  ready: number;
  started: number;
  processed: number;
  completed: number;
}

function zero(): ProgressCounts {
  return { ready: 0, started: 0, processed: 0, completed: 0 };
}

/** Counts since the run started (`total`) and since the current epoch or run started (`current`). */
export class Progress {
  total: ProgressCounts = zero();
  current: ProgressCounts = zero();

  increment(field: keyof ProgressCounts): void {
    this.total[field] += 1;
    this.current[field] += 1;
  }

  /** Reset the `current` counts (new epoch or run). */
  resetCurrent(): void {
    this.current = zero();
  }

  /** Current counts continue from `completed` after a restart (the interrupted event is redone). */
  resetOnRestart(): void {
    const c = this.current.completed;
    this.current = { ready: c, started: c, processed: c, completed: c };
    const t = this.total.completed;
    this.total = { ready: t, started: t, processed: t, completed: t };
  }

  toJSON(): { total: ProgressCounts; current: ProgressCounts } {
    return { total: { ...this.total }, current: { ...this.current } };
  }

  static fromJSON(data: { total: ProgressCounts; current: ProgressCounts }): Progress {
    const p = new Progress();
    p.total = { ...data.total };
    p.current = { ...data.current };
    return p;
  }
}

/** Everything the fit loop counts; restored on resume so `currentEpoch`, `globalStep` and the batch position follow. */
export interface FitProgressState {
  epoch: ReturnType<Progress['toJSON']>;
  batch: ReturnType<Progress['toJSON']> & { isLastBatch: boolean };
  optimizerSteps: ReturnType<Progress['toJSON']>;
  schedulerSteps: ReturnType<Progress['toJSON']>;
  batchesThatStepped: number;
}

/** Counters of a fit run. */
export class FitProgress {
  epoch = new Progress();
  batch = new Progress();
  isLastBatch = false;
  optimizerSteps = new Progress();
  schedulerSteps = new Progress();
  /** Batches that ended with an optimizer step (logger x-axis; once per batch even with several optimizers). */
  batchesThatStepped = 0;

  /** Optimizer steps taken (Lightning's `global_step`). */
  get globalStep(): number {
    return this.optimizerSteps.total.completed;
  }

  toJSON(): FitProgressState {
    return {
      epoch: this.epoch.toJSON(),
      batch: { ...this.batch.toJSON(), isLastBatch: this.isLastBatch },
      optimizerSteps: this.optimizerSteps.toJSON(),
      schedulerSteps: this.schedulerSteps.toJSON(),
      batchesThatStepped: this.batchesThatStepped,
    };
  }

  static fromJSON(s: FitProgressState): FitProgress {
    const p = new FitProgress();
    p.epoch = Progress.fromJSON(s.epoch);
    p.batch = Progress.fromJSON(s.batch);
    p.isLastBatch = s.batch.isLastBatch;
    p.optimizerSteps = Progress.fromJSON(s.optimizerSteps);
    p.schedulerSteps = Progress.fromJSON(s.schedulerSteps);
    p.batchesThatStepped = s.batchesThatStepped;
    return p;
  }
}
