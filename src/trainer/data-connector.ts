/**
 * Getting batches: which dataloaders a stage uses (explicit, datamodule or module), how many batches the
 * `limit*` options allow, and iteration with the batch-transfer hooks and a one-batch look-ahead when the
 * length is unknown (to know `isLastBatch`).
 */
import { MisconfigurationError, describeValue } from '../errors.js';
import type { DataHooks, DataSource, DataSources } from '../core/hooks.js';
import type { LightningModule } from '../core/module.js';
import { tf } from '../runtime/tf.js';
import type { HookDispatcher } from './hook-dispatcher.js';

/** Normalise one source or several into a list; anything that is not iterable is an error naming what was received. */
export function toSourceList<B>(sources: DataSources<B> | undefined, origin = 'the dataloader hook'): Array<DataSource<B>> {
  if (sources === undefined) return [];
  const list = isSource(sources) ? [sources] : (sources as unknown);
  if (!Array.isArray(list) || !list.every((s) => isIterableLoader(s) || Array.isArray(s))) {
    throw new MisconfigurationError(
      `${origin} did not give a dataloader: received ${describeValue(sources)}.`,
      'Return a DataLoader, an array of batches or any (async) iterable of batches (or an array of those).',
    );
  }
  return list as Array<DataSource<B>>;
}

function isSource(x: unknown): x is DataSource {
  if (typeof x !== 'object' || x === null) return false;
  if (Array.isArray(x)) {
    // A plain array of batches is one source; an array of loaders is several.
    return !x.every((item) => isIterableLoader(item));
  }
  return Symbol.asyncIterator in x || Symbol.iterator in x;
}

function isIterableLoader(x: unknown): boolean {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof tf.Tensor) && (Symbol.asyncIterator in x || Symbol.iterator in x);
}

/**
 * Number of batches a limit allows: `Infinity` (the default) for all, a fraction in (0, 1) of the length, or a
 * whole number of batches (`1` is one batch: JavaScript cannot tell 1 from 1.0, so "all" is spelled by omitting the option).
 */
export function limitBatches(length: number | undefined, limit: number, optionName: string): number {
  const n = length ?? Number.POSITIVE_INFINITY;
  if (limit === 0) return 0;
  if (limit === Number.POSITIVE_INFINITY) return n;
  if (Number.isInteger(limit)) return Math.min(n, limit);
  if (!Number.isFinite(n)) {
    throw new MisconfigurationError(
      `${optionName}: ${limit} is a fraction, but the dataloader has no length.`,
      `Pass a whole number of batches (e.g. ${optionName}: 100) for iterable data.`,
    );
  }
  const count = Math.floor(n * limit);
  if (count === 0 && n > 0) {
    throw new MisconfigurationError(
      `${optionName}: ${limit} of ${n} batches is less than one batch.`,
      `Use a larger fraction or a whole number, e.g. ${optionName}: 1.`,
    );
  }
  return count;
}

/** Hooks used to move a batch, chosen from the datamodule when it defines them, else from the module. */
export function transferBatch<B>(dispatcher: HookDispatcher, datamodule: DataHooks<B> | undefined, batch: B, dataloaderIdx: number, device: string): B {
  const pick = (hook: 'onBeforeBatchTransfer' | 'transferBatchToDevice' | 'onAfterBatchTransfer'): boolean =>
    datamodule !== undefined && typeof datamodule[hook] === 'function';
  let b = batch;
  b = pick('onBeforeBatchTransfer')
    ? datamodule!.onBeforeBatchTransfer!(b, dataloaderIdx)
    : ((dispatcher.moduleHas('onBeforeBatchTransfer') ? dispatcher.callModuleSync('onBeforeBatchTransfer', b, dataloaderIdx) : b) as B);
  b = pick('transferBatchToDevice')
    ? datamodule!.transferBatchToDevice!(b, device, dataloaderIdx)
    : ((dispatcher.moduleHas('transferBatchToDevice') ? dispatcher.callModuleSync('transferBatchToDevice', b, device, dataloaderIdx) : b) as B);
  b = pick('onAfterBatchTransfer')
    ? datamodule!.onAfterBatchTransfer!(b, dataloaderIdx)
    : ((dispatcher.moduleHas('onAfterBatchTransfer') ? dispatcher.callModuleSync('onAfterBatchTransfer', b, dataloaderIdx) : b) as B);
  return b;
}

/** Pulls at most `limit` batches from a source and knows which one is last. */
export class BatchFetcher<B> {
  private iterator: AsyncIterator<B> | Iterator<B> | undefined;
  private lookahead: IteratorResult<B> | undefined;
  private fetched = 0;

  constructor(
    private readonly source: DataSource<B>,
    private readonly limit: number,
  ) {}

  /**
   * Whether the loops free each batch after its step: yes for DataLoaders, generators and other iterables (they
   * make fresh tensors every epoch), no for a plain array of batches (reused every epoch, so its tensors are yours).
   */
  get ownsBatches(): boolean {
    return !Array.isArray(this.source);
  }

  /** Index of the next batch. */
  get position(): number {
    return this.fetched;
  }

  /** Skip `n` batches (resuming mid-epoch from a source that cannot restore its position). */
  async skip(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const r = await this.pull();
      if (r.done === true) return;
      this.fetched += 1;
    }
  }

  /** The next batch and whether it is the last one, or undefined when done. */
  async next(): Promise<{ batch: B; isLast: boolean } | undefined> {
    if (this.fetched >= this.limit) return undefined;
    const r = this.lookahead ?? (await this.pull());
    this.lookahead = undefined;
    if (r.done === true) return undefined;
    this.fetched += 1;
    let isLast = this.fetched >= this.limit;
    if (!isLast && !Number.isFinite(this.limit)) {
      this.lookahead = await this.pull();
      isLast = this.lookahead.done === true;
    } else if (!isLast && this.source.length === undefined) {
      this.lookahead = await this.pull();
      isLast = this.lookahead.done === true;
    }
    return { batch: r.value, isLast };
  }

  private async pull(): Promise<IteratorResult<B>> {
    if (this.iterator === undefined) {
      const s = this.source as Partial<AsyncIterable<B> & Iterable<B>>;
      const asyncIt = s[Symbol.asyncIterator];
      const syncIt = s[Symbol.iterator];
      if (asyncIt !== undefined) this.iterator = asyncIt.call(s);
      else if (syncIt !== undefined) this.iterator = syncIt.call(s);
      else {
        throw new MisconfigurationError(
          `A dataloader must be iterable; received ${describeValue(this.source)}.`,
          'Return a DataLoader, an array of batches or any (async) iterable from the *Dataloader hook.',
        );
      }
    }
    return await this.iterator.next();
  }

  /** Let the source release resources when iteration stops early. */
  async close(): Promise<void> {
    const it = this.iterator as (AsyncIterator<B> & Iterator<B>) | undefined;
    this.iterator = undefined;
    if (it?.return !== undefined) await it.return();
  }
}

/** Dispose every tensor inside a (nested) batch or step output. */
export function disposeTensors(x: unknown, depth = 0): void {
  if (depth > 32 || x === null || typeof x !== 'object') return;
  if (x instanceof tf.Tensor) {
    if (!x.isDisposed) x.dispose();
    return;
  }
  if (Array.isArray(x)) for (const item of x) disposeTensors(item, depth + 1);
  else if (Object.getPrototypeOf(x) === Object.prototype) for (const v of Object.values(x)) disposeTensors(v, depth + 1);
}

/** The dataloader hook of a stage. */
export type LoaderHook = 'trainDataloader' | 'valDataloader' | 'testDataloader' | 'predictDataloader';

/** Ask the datamodule (preferred) or the module for a stage's dataloaders. */
export async function requestDataloaders<B>(
  hook: LoaderHook,
  dispatcher: HookDispatcher,
  datamodule: DataHooks<B> | undefined,
  module: LightningModule<B>,
): Promise<Array<DataSource<B>>> {
  if (datamodule?.[hook] !== undefined) return toSourceList(await datamodule[hook](), `${datamodule.constructor.name}.${hook}()`);
  if (module[hook] !== undefined) return toSourceList((await dispatcher.callModule(hook)) as DataSources<B>, `${module.constructor.name}.${hook}()`);
  return [];
}
