/** `MetricCollection`: several metrics updated with the same inputs and computed into one prefixed record. */
import { MisconfigurationError, StateDictError } from '../errors.js';
import { singleProcessCollective } from './collective.js';
import type { MetricCollective } from './collective.js';
import type { Metric, MetricStateDict } from './metric.js';

/** Options of `MetricCollection`. */
export interface MetricCollectionOptions {
  /** Prepended to every key of `compute()`/`forward()` (e.g. `'val_'`). Default: `''`. */
  prefix?: string;
  /** Appended to every key. Default: `''`. */
  postfix?: string;
}

/** A metric of any argument list and value. */
type AnyMetric = Metric<unknown[], unknown>;

/**
 * A named group of metrics sharing `update` inputs. `compute()` and `forward()` return `{ [prefix + name + postfix]: value }`.
 *
 * @example
 * const metrics = new MetricCollection({ acc: new Accuracy({ task: 'binary' }), f1: new F1Score({ task: 'binary' }) }, { prefix: 'val_' });
 * metrics.update(probs, labels);
 * metrics.compute(); // { val_acc: 0.9, val_f1: 0.88 }
 */
export class MetricCollection<M extends Record<string, AnyMetric> = Record<string, AnyMetric>> {
  /** The metrics by their unprefixed names. */
  readonly metrics: Readonly<M>;
  /** Key prefix. */
  readonly prefix: string;
  /** Key postfix. */
  readonly postfix: string;

  constructor(metrics: M, options: MetricCollectionOptions = {}) {
    if (Object.keys(metrics).length === 0) throw new MisconfigurationError('MetricCollection needs at least one metric.', 'new MetricCollection({ acc: new Accuracy({ task: "binary" }) })');
    this.metrics = metrics;
    this.prefix = options.prefix ?? '';
    this.postfix = options.postfix ?? '';
  }

  /** The output key of metric `name`. */
  key(name: string): string {
    return `${this.prefix}${name}${this.postfix}`;
  }

  private entries(): Array<[string, AnyMetric]> {
    return Object.entries(this.metrics as Record<string, AnyMetric>);
  }

  /** Update every metric with the same inputs. */
  update(...args: unknown[]): void {
    for (const [, m] of this.entries()) m.update(...args);
  }

  /** Every metric's value, by prefixed key. */
  compute(): Record<string, unknown> {
    return Object.fromEntries(this.entries().map(([name, m]) => [this.key(name), m.compute()]));
  }

  /** Update every metric and return each one's value on this batch, by prefixed key. */
  forward(...args: unknown[]): Record<string, unknown> {
    return Object.fromEntries(this.entries().map(([name, m]) => [this.key(name), m.forward(...args)]));
  }

  /** Reset every metric. */
  reset(): void {
    for (const [, m] of this.entries()) m.reset();
  }

  /** Every metric's value merged over all processes (see `Metric.computeSynced`), by prefixed key. */
  async computeSynced(collective: MetricCollective = singleProcessCollective): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const [name, m] of this.entries()) out[this.key(name)] = await m.computeSynced(collective);
    return out;
  }

  /** Every metric's state, keyed `name.state`. */
  stateDict(): MetricStateDict {
    const out: MetricStateDict = {};
    for (const [name, m] of this.entries()) for (const [k, v] of Object.entries(m.stateDict())) out[`${name}.${k}`] = v;
    return out;
  }

  /** Load a state saved by `stateDict()` (strict: every metric's keys must be present, and no others). */
  loadStateDict(dict: Readonly<Record<string, readonly number[]>>): void {
    const names = new Set(Object.keys(this.metrics));
    const unexpected = Object.keys(dict).filter((k) => !names.has(k.slice(0, k.indexOf('.'))));
    if (unexpected.length > 0) throw new StateDictError(`MetricCollection.loadStateDict: unexpected keys [${unexpected.join(', ')}].`, `Expected keys starting with one of: ${[...names].join(', ')}.`);
    for (const [name, m] of this.entries()) {
      const own: Record<string, readonly number[]> = {};
      for (const [k, v] of Object.entries(dict)) if (k.startsWith(`${name}.`)) own[k.slice(name.length + 1)] = v;
      m.loadStateDict(own);
    }
  }

  /** A copy with cloned metrics (state included) and, optionally, a new prefix/postfix. */
  clone(options: MetricCollectionOptions = {}): MetricCollection<M> {
    const metrics = Object.fromEntries(this.entries().map(([name, m]) => [name, m.clone()])) as M;
    return new MetricCollection(metrics, { prefix: options.prefix ?? this.prefix, postfix: options.postfix ?? this.postfix });
  }
}
