/**
 * The `Metric` base: state declared with a reduction and kept on the host in float64 (exact counts, no tensors
 * to leak), `update`/`compute`/`reset`/`forward`, merging across processes through a collective, and state dicts.
 */
import { MisconfigurationError, StateDictError } from '../errors.js';
import { singleProcessCollective } from './collective.js';
import type { MetricCollective, Reduction } from './collective.js';

/** A metric's state as plain JSON data (float64 values; non-finite numbers allowed), for checkpoints. */
export type MetricStateDict = Record<string, number[]>;

interface StateEntry {
  readonly reduction: Reduction;
  readonly fill: number;
  /** Fixed-size states (every reduction but `cat`). */
  value: Float64Array;
  /** Chunks of a `cat` state, concatenated lazily. */
  chunks: Float64Array[];
}

type Snapshot = Map<string, Float64Array>;

function concat(chunks: readonly Float64Array[]): Float64Array {
  if (chunks.length === 1 && chunks[0] !== undefined) return chunks[0];
  const out = new Float64Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/**
 * Base class of every metric. Subclasses declare their state in the constructor with `addState`, accumulate it in
 * `update`, and derive the value in `compute` (which must not change the state). `compute()` returns a number for
 * scalar results and plain arrays/objects for per-class results, curves and matrices.
 *
 * @example
 * const acc = new Accuracy({ task: 'multiclass', numClasses: 10 });
 * for (const [x, y] of batches) acc.update(model.predict(x), y);
 * const value = await acc.computeSynced(collective); // or acc.compute() in one process
 * acc.reset();
 */
export abstract class Metric<Args extends unknown[] = unknown[], Value = unknown> {
  private readonly states = new Map<string, StateEntry>();
  private localCache: { snapshot: Snapshot; updateCount: number } | undefined;
  private updates = 0;

  /** @param initOptions the constructor's options; `clone()` passes them to a new instance of the same class. */
  protected constructor(protected readonly initOptions: object = {}) {}

  /** Accumulate one batch into the state. */
  protected abstract updateState(...args: Args): void;

  /** The metric's value from the accumulated state (does not change the state). */
  abstract compute(): Value;

  /** Accumulate one batch into the state. */
  update(...args: Args): void {
    if (this.localCache !== undefined) {
      throw new MisconfigurationError(
        `${this.constructor.name}.update() was called while the metric holds synced (global) state.`,
        'Call unsync() after compute() (computeSynced() does both), then keep updating.',
      );
    }
    this.updateState(...args);
    this.updates += 1;
  }

  /** How many times `update` was called since the last reset. */
  get updateCount(): number {
    return this.updates;
  }

  /** Restore every state to its default. */
  reset(): void {
    for (const entry of this.states.values()) {
      entry.value.fill(entry.fill);
      entry.chunks = [];
    }
    this.updates = 0;
    this.localCache = undefined;
    this.#lastForwardValue = undefined;
  }

  /**
   * Update with this batch and return the metric's value on this batch alone; the accumulated state keeps all
   * batches. The accumulated state is set aside (not copied), so forward costs one update and one compute on the batch.
   */
  forward(...args: Args): Value {
    const saved = this.detach();
    const savedCount = this.updates;
    this.updates = 0;
    let value: Value;
    try {
      this.update(...args);
      value = this.compute();
    } catch (error) {
      this.attach(saved);
      this.updates = savedCount;
      throw error;
    }
    const batch = this.detach();
    this.attach(saved);
    this.merge(batch, savedCount);
    this.updates = savedCount + 1;
    this.#lastForwardValue = value;
    return value;
  }

  #lastForwardValue: Value | undefined;

  /** The value the last `forward` returned (what `log()` records as the step value of a metric object). */
  get lastForwardValue(): Value | undefined {
    return this.#lastForwardValue;
  }

  /**
   * Replace the local state by the state merged over all processes (each state with its reduction). Call `compute()`
   * next, then `unsync()` to get the local state back. A single process (the default collective) is a no-op merge.
   */
  async sync(collective: MetricCollective = singleProcessCollective): Promise<void> {
    if (this.localCache !== undefined) {
      throw new MisconfigurationError(`${this.constructor.name}.sync() was called twice without unsync().`, 'Call unsync() after compute().');
    }
    const local = this.snapshot();
    const merged: Snapshot = new Map();
    for (const [name, entry] of this.states) {
      const data = local.get(name) ?? new Float64Array(0);
      merged.set(name, collective.worldSize === 1 ? data.slice() : await reduceAcross(collective, data, entry.reduction));
    }
    this.localCache = { snapshot: local, updateCount: this.updates };
    this.restore(merged);
  }

  /** Restore the local state saved by `sync()` (no-op when not synced). */
  unsync(): void {
    if (this.localCache === undefined) return;
    const { snapshot, updateCount } = this.localCache;
    this.localCache = undefined;
    this.restore(snapshot);
    this.updates = updateCount;
  }

  /** `sync`, `compute`, `unsync`: the value over all processes, leaving the local state as it was. */
  async computeSynced(collective: MetricCollective = singleProcessCollective): Promise<Value> {
    await this.sync(collective);
    try {
      return this.compute();
    } finally {
      this.unsync();
    }
  }

  /** The accumulated state as JSON data (every declared state by name), for checkpoints. */
  stateDict(): MetricStateDict {
    const out: MetricStateDict = {};
    for (const [name, data] of this.snapshot()) out[name] = Array.from(data);
    return out;
  }

  /** Load a state saved by `stateDict()`; `strict` (default true) rejects missing and unexpected keys. */
  loadStateDict(dict: Readonly<Record<string, readonly number[]>>, options: { strict?: boolean } = {}): void {
    const strict = options.strict ?? true;
    const unexpected = Object.keys(dict).filter((k) => !this.states.has(k));
    const missing = [...this.states.keys()].filter((k) => !(k in dict));
    if (strict && (unexpected.length > 0 || missing.length > 0)) {
      throw new StateDictError(
        `${this.constructor.name}.loadStateDict: missing keys [${missing.join(', ')}], unexpected keys [${unexpected.join(', ')}].`,
        `Expected exactly the keys [${[...this.states.keys()].join(', ')}]; pass { strict: false } to load a subset.`,
      );
    }
    const next = this.snapshot();
    for (const [name, entry] of this.states) {
      const values = dict[name];
      if (values === undefined) continue;
      if (entry.reduction !== 'cat' && values.length !== entry.value.length) {
        throw new StateDictError(
          `${this.constructor.name}.loadStateDict: state "${name}" has ${values.length} values, expected ${entry.value.length}.`,
          'The metric was probably built with different options (numClasses, numLabels, numOutputs, nBins).',
        );
      }
      next.set(name, Float64Array.from(values));
    }
    this.restore(next);
  }

  /** A new metric of the same class and options with a copy of this one's state (subclasses with other constructors override it). */
  clone(): this {
    const Ctor = this.constructor as new (options: object) => this;
    const copy = new Ctor(this.initOptions);
    copy.restore(this.snapshot());
    copy.updates = this.updates;
    return copy;
  }

  /** Declare a state: `size` values filled with `fill` (ignored for `cat`, which starts empty). */
  protected addState(name: string, reduction: Reduction, size = 1, fill = 0): void {
    if (this.states.has(name)) throw new MisconfigurationError(`${this.constructor.name} declares the state "${name}" twice.`);
    const value = new Float64Array(reduction === 'cat' ? 0 : size).fill(fill);
    this.states.set(name, { reduction, fill, value, chunks: [] });
  }

  /** The values of a fixed-size state, to read or modify in place. */
  protected state(name: string): Float64Array {
    return this.entry(name).value;
  }

  /** Append values to a `cat` state. */
  protected append(name: string, values: Float64Array): void {
    this.entry(name).chunks.push(values);
  }

  /** All values of a `cat` state, concatenated. */
  protected catState(name: string): Float64Array {
    const entry = this.entry(name);
    const all = concat(entry.chunks);
    entry.chunks = all.length > 0 ? [all] : [];
    return all;
  }

  private entry(name: string): StateEntry {
    const entry = this.states.get(name);
    if (entry === undefined) throw new MisconfigurationError(`${this.constructor.name} has no state "${name}".`, `Declare it with addState("${name}", ...) in the constructor.`);
    return entry;
  }

  private snapshot(): Snapshot {
    const out: Snapshot = new Map();
    for (const [name, entry] of this.states) out.set(name, entry.reduction === 'cat' ? concat(entry.chunks).slice() : entry.value.slice());
    return out;
  }

  private restore(snapshot: Snapshot): void {
    for (const [name, entry] of this.states) {
      const data = snapshot.get(name);
      if (data === undefined) continue;
      if (entry.reduction === 'cat') entry.chunks = data.length > 0 ? [data] : [];
      else entry.value = data;
    }
  }

  /** Take the state out (leaving defaults in its place) without copying it. */
  private detach(): Map<string, Pick<StateEntry, 'value' | 'chunks'>> {
    const out = new Map<string, Pick<StateEntry, 'value' | 'chunks'>>();
    for (const [name, entry] of this.states) {
      out.set(name, { value: entry.value, chunks: entry.chunks });
      entry.value = new Float64Array(entry.value.length).fill(entry.fill);
      entry.chunks = [];
    }
    return out;
  }

  private attach(saved: Map<string, Pick<StateEntry, 'value' | 'chunks'>>): void {
    for (const [name, entry] of this.states) {
      const s = saved.get(name);
      if (s === undefined) continue;
      entry.value = s.value;
      entry.chunks = s.chunks;
    }
  }

  /** Merge a batch's state into the current one with each state's reduction (`mean` weights by update count). */
  private merge(batch: Map<string, Pick<StateEntry, 'value' | 'chunks'>>, previousUpdates: number): void {
    for (const [name, entry] of this.states) {
      const b = batch.get(name);
      if (b === undefined) continue;
      if (entry.reduction === 'cat') {
        entry.chunks.push(...b.chunks);
        continue;
      }
      const v = entry.value;
      for (let i = 0; i < v.length; i++) {
        const x = v[i] ?? 0;
        const y = b.value[i] ?? 0;
        if (entry.reduction === 'sum') v[i] = x + y;
        else if (entry.reduction === 'min') v[i] = Math.min(x, y);
        else if (entry.reduction === 'max') v[i] = Math.max(x, y);
        else v[i] = previousUpdates === 0 ? y : (x * previousUpdates + y) / (previousUpdates + 1);
      }
    }
  }
}

async function reduceAcross(collective: MetricCollective, data: Float64Array, reduction: Reduction): Promise<Float64Array> {
  if (reduction === 'cat') return concat(await collective.allGather(data));
  if (reduction === 'mean') {
    const summed = await collective.allReduce(data.slice(), 'sum');
    return summed.map((x) => x / collective.worldSize);
  }
  return collective.allReduce(data.slice(), reduction);
}
