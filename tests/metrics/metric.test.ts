// The Metric base: forward, sync across (simulated) processes, state dicts, clone, leaks, errors; MetricCollection.
import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
import { selectBackend } from '../../src/runtime/backend.js';
import {
  Accuracy, AUROC, CatMetric, ConfusionMatrix, F1Score, MaxMetric, MeanMetric, MeanSquaredError, Metric, MetricCollection,
  SpearmanCorrCoef, RunningMean,
} from '../../src/metrics/index.js';
import type { MetricCollective, MetricInput } from '../../src/metrics/index.js';
import { MisconfigurationError, StateDictError } from '../../src/errors.js';
import { setWarningsEnabled } from '../../src/utilities/warnings.js';

/** `size` collectives that meet by call order, like ranks of one process group. */
function fakeGroup(size: number): MetricCollective[] {
  const slots = new Map<number, { arrays: Float64Array[]; done: Array<(all: Float64Array[]) => void> }>();
  const meet = (call: number, rank: number, data: Float64Array): Promise<Float64Array[]> =>
    new Promise((resolve) => {
      const slot = slots.get(call) ?? { arrays: [], done: [] };
      slots.set(call, slot);
      slot.arrays[rank] = data.slice();
      slot.done.push(resolve);
      if (slot.done.length === size) for (const r of slot.done) r(slot.arrays);
    });
  return Array.from({ length: size }, (_, rank) => {
    let calls = 0;
    return {
      worldSize: size,
      allReduce: async (data, op) => {
        const all = await meet(calls++, rank, data);
        return data.map((_, i) => {
          const xs = all.map((a) => a[i]!);
          return op === 'sum' ? xs.reduce((a, b) => a + b, 0) : op === 'max' ? Math.max(...xs) : Math.min(...xs);
        });
      },
      allGather: (data) => meet(calls++, rank, data),
    };
  });
}

const probs = [
  [0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.2, 0.6], [0.3, 0.4, 0.3], [0.8, 0.1, 0.1], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4], [0.6, 0.2, 0.2],
];
const labels = [1, 0, 1, 1, 2, 2, 0, 0];
const t = (rows: number[][] | number[], dtype: 'float32' | 'int32' = 'float32'): tf.Tensor => tf.tensor(rows, undefined, dtype);

/** A metric with a `mean` state, to check how such states merge. */
class MeanOfBatchMeans extends Metric<[MetricInput], number> {
  constructor() {
    super({});
    this.addState('value', 'mean');
  }
  protected updateState(x: MetricInput): void {
    const v = Array.from((x as tf.Tensor).dataSync());
    this.state('value')[0] = v.reduce((a, b) => a + b, 0) / v.length;
  }
  compute(): number {
    return this.state('value')[0]!;
  }
}

describe('Metric', () => {
  before(async () => {
    await selectBackend('cpu');
    setWarningsEnabled(false);
  });

  it('forward returns the batch value and keeps accumulating', () => {
    const acc = new Accuracy({ task: 'multiclass', numClasses: 3 });
    const [p1, y1, p2, y2] = [t(probs.slice(0, 4)), t(labels.slice(0, 4), 'int32'), t(probs.slice(4)), t(labels.slice(4), 'int32')];
    assert.equal(acc.forward(p1, y1), 3 / 4); // argmax 1,0,2,1 vs 1,0,1,1
    assert.equal(acc.forward(p2, y2), 2 / 4); // argmax 0,2,2,0 vs 2,2,0,0
    assert.equal(acc.compute(), 5 / 8);
    assert.equal(acc.updateCount, 2);
    const bad = t([5, 0, 0, 0], 'int32');
    assert.throws(() => acc.forward(p1, bad), /target values/);
    assert.equal(acc.compute(), 5 / 8, 'a failed forward leaves the accumulated state alone');
    assert.equal(acc.updateCount, 2);
    bad.dispose();
    acc.reset();
    assert.equal(acc.updateCount, 0);
    assert.equal(acc.compute(), 0);
    tf.dispose([p1, y1, p2, y2]);
  });

  it('merges mean states by update count in forward and across processes', async () => {
    const m = new MeanOfBatchMeans();
    const xs = [t([1, 2, 3]), t([10]), t([4, 4])];
    for (const x of xs) m.forward(x);
    assert.equal(m.compute(), (2 + 10 + 4) / 3);
    const [g0, g1] = fakeGroup(2);
    const other = new MeanOfBatchMeans();
    other.update(xs[1]!);
    const [a, b] = await Promise.all([m.computeSynced(g0), other.computeSynced(g1)]);
    assert.equal(a, (16 / 3 + 10) / 2);
    assert.equal(b, a);
    tf.dispose(xs);
  });

  it('sync merges sum, max, cat states over two processes into the single-process value, and unsync restores', async () => {
    const [g0, g1] = fakeGroup(2);
    const make = (): Array<Metric<[MetricInput, MetricInput], unknown>> => [
      new Accuracy({ task: 'multiclass', numClasses: 3, average: 'macro' }),
      new AUROC({ task: 'multiclass', numClasses: 3 }),
      new ConfusionMatrix({ task: 'multiclass', numClasses: 3 }),
    ];
    const [all, r0, r1] = [make(), make(), make()];
    const pAll = t(probs);
    const yAll = t(labels, 'int32');
    const [p0, y0, p1, y1] = [t(probs.slice(0, 3)), t(labels.slice(0, 3), 'int32'), t(probs.slice(3)), t(labels.slice(3), 'int32')];
    all.forEach((m) => m.update(pAll, yAll));
    r0.forEach((m) => m.update(p0, y0));
    r1.forEach((m) => m.update(p1, y1));
    for (let i = 0; i < all.length; i++) {
      const local = r0[i]!.compute();
      const [a, b] = await Promise.all([r0[i]!.computeSynced(g0), r1[i]!.computeSynced(g1)]);
      assert.deepEqual(a, all[i]!.compute());
      assert.deepEqual(b, all[i]!.compute());
      assert.deepEqual(r0[i]!.compute(), local);
    }
    const maxes = [new MaxMetric(), new MaxMetric()];
    maxes[0]!.update([1, 5]);
    maxes[1]!.update([7, -2]);
    assert.deepEqual(await Promise.all(maxes.map((m, i) => m.computeSynced(i === 0 ? g0 : g1))), [7, 7]);
    const cats = [new CatMetric(), new CatMetric()];
    cats[0]!.update([1, 2]);
    cats[1]!.update([3]);
    assert.deepEqual(await Promise.all(cats.map((m, i) => m.computeSynced(i === 0 ? g0 : g1))), [[1, 2, 3], [1, 2, 3]]);
    assert.deepEqual(cats[1]!.compute(), [3]);
    tf.dispose([pAll, yAll, p0, y0, p1, y1]);
  });

  it('refuses update while synced and a second sync', async () => {
    const m = new MeanMetric();
    m.update(2);
    await m.sync();
    assert.throws(() => m.update(1), MisconfigurationError);
    await assert.rejects(m.sync(), MisconfigurationError);
    m.unsync();
    m.update(4);
    assert.equal(m.compute(), 3);
  });

  it('round-trips state dicts (JSON included) and clones independently', () => {
    const a = new SpearmanCorrCoef();
    a.update([1, 2, 3, 4], [1, 3, 2, 4]);
    const saved = JSON.parse(JSON.stringify(a.stateDict())) as Record<string, number[]>;
    const b = new SpearmanCorrCoef();
    b.loadStateDict(saved);
    assert.equal(b.compute(), a.compute());
    const c = a.clone();
    c.update([5], [0]);
    assert.notEqual(c.compute(), a.compute());
    assert.equal(a.compute(), 0.8);
    assert.throws(() => b.loadStateDict({ preds: [1] }), StateDictError);
    const cm = new ConfusionMatrix({ task: 'multiclass', numClasses: 3 });
    assert.throws(() => cm.loadStateDict({ confmat: [1, 2, 3, 4] }), /has 4 values, expected 9/);
    const mx = new MaxMetric();
    assert.deepEqual(mx.stateDict(), { maxValue: [-Infinity] });
  });

  it('creates no tensors across many update/forward/compute/reset cycles', () => {
    const mse = new MeanSquaredError();
    const mean = new MeanMetric();
    const ms: Array<Metric<[MetricInput, MetricInput], unknown>> = [
      new Accuracy({ task: 'multiclass', numClasses: 3, topK: 2 }),
      new F1Score({ task: 'multiclass', numClasses: 3, average: 'none' }),
      new AUROC({ task: 'multiclass', numClasses: 3 }),
    ];
    const p = t(probs);
    const y = t(labels, 'int32');
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) {
      for (const m of ms) {
        m.update(p, y);
        m.forward(p, y);
        m.compute();
      }
      mse.forward(y, y);
      mean.forward(p);
      if (i % 10 === 9) [...ms, mse, mean].forEach((m) => m.reset());
    }
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([p, y]);
  });

  it('explains bad options and inputs', () => {
    assert.throws(() => new Accuracy({ task: 'multiclass' }), /needs numClasses/);
    assert.throws(() => new Accuracy({ task: 'binary', topK: 2 }), /topK/);
    assert.throws(() => new Accuracy({ task: 'multiclass', numClasses: 3, average: 'samples' as 'micro' }), /average must be/);
    const acc = new Accuracy({ task: 'multiclass', numClasses: 3 });
    const p = t(probs);
    const bad = t([0, 1, 2, 3, 0, 0, 0, 0], 'int32');
    assert.throws(() => acc.update(p, bad), /target values must be integers in \[0, 2\]/);
    const short = t([0, 1], 'int32');
    assert.throws(() => acc.update(p, short), /same shape/);
    const logits = t([[1, 2], [3, 4]]);
    assert.throws(() => acc.update(logits, short), /2 classes on axis 1, expected numClasses = 3/);
    tf.dispose([p, bad, short, logits]);
  });

  it('reads multiclass preds [N, C, d] like the flattened [N*d, C], int labels and binary logits', () => {
    const p3 = tf.tensor([0.1, 0.8, 0.7, 0.1, 0.2, 0.1, 0.9, 0.1, 0.0, 0.1, 0.0, 0.8], [2, 3, 2]);
    const y3 = t([[0, 1], [0, 2]], 'int32');
    const cm = new ConfusionMatrix({ task: 'multiclass', numClasses: 3 });
    cm.update(p3, y3); // argmax per (n, d): (0,0)->0? column values [0.1,0.7,0.2]->1, [0.8,0.1,0.1]->0, [0.9,0.0,0.0]->0, [0.1,0.1,0.8]->2
    assert.deepEqual(cm.compute(), [[1, 1, 0], [1, 0, 0], [0, 0, 1]]);
    const bin = new Accuracy({ task: 'binary' });
    const labelsPred = t([1, 0, 1, 1], 'int32');
    const yb = t([1, 0, 0, 1], 'int32');
    bin.update(labelsPred, yb);
    assert.equal(bin.compute(), 0.75);
    const logit = t([2, -1, -0.5, 0.1]); // sigmoid > 0.5 exactly where logit > 0
    bin.reset();
    bin.update(logit, yb);
    assert.equal(bin.compute(), 1);
    tf.dispose([p3, y3, labelsPred, yb, logit]);
  });
});

describe('MetricCollection', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('updates, computes and forwards every metric under prefixed keys; clone copies state', async () => {
    const col = new MetricCollection(
      { acc: new Accuracy({ task: 'multiclass', numClasses: 3 }), f1: new F1Score({ task: 'multiclass', numClasses: 3, average: 'macro' }) },
      { prefix: 'val_', postfix: '_epoch' },
    );
    const p = t(probs);
    const y = t(labels, 'int32');
    const batch = col.forward(p, y);
    assert.deepEqual(Object.keys(batch), ['val_acc_epoch', 'val_f1_epoch']);
    assert.equal(batch.val_acc_epoch, 5 / 8);
    const train = col.clone({ prefix: 'train_', postfix: '' });
    assert.deepEqual(Object.keys(train.compute()), ['train_acc', 'train_f1']);
    assert.deepEqual(Object.values(train.compute()), Object.values(col.compute()));
    train.reset();
    assert.equal(col.compute().val_acc_epoch, 5 / 8);
    assert.deepEqual(await col.computeSynced(), col.compute());
    const saved = col.stateDict();
    assert.ok('acc.tp' in saved);
    train.loadStateDict(saved);
    assert.deepEqual(Object.values(train.compute()), Object.values(col.compute()));
    assert.throws(() => train.loadStateDict({ ...saved, 'nope.tp': [1] }), StateDictError);
    col.reset();
    assert.deepEqual(col.compute(), { val_acc_epoch: 0, val_f1_epoch: 0 });
    tf.dispose([p, y]);
  });
});

describe('aggregation metrics', () => {
  before(async () => {
    await selectBackend('cpu');
    setWarningsEnabled(false);
  });

  it('mean (weighted), sum, max, min, cat and NaN strategies', () => {
    const mean = new MeanMetric();
    mean.update([1, 2, 3], [1, 1, 2]);
    mean.update(tf.scalar(10), 2);
    assert.equal(mean.compute(), (1 + 2 + 6 + 20) / 6);
    const nan = new MeanMetric();
    nan.update([1, NaN, 3]);
    assert.equal(nan.compute(), 2);
    assert.throws(() => new MeanMetric({ nanStrategy: 'error' }).update([NaN]), /NaN/);
    const replaced = new MeanMetric({ nanStrategy: 0 });
    replaced.update([NaN, 4]);
    assert.equal(replaced.compute(), 2);
    assert.ok(Number.isNaN(new MeanMetric().compute()));
  });

  it('running mean covers the last `window` updates', () => {
    const r = new RunningMean({ window: 2 });
    assert.equal(r.forward([1, 3]), 2);
    r.update([5]);
    assert.equal(r.compute(), 3);
    r.update([7, 9]);
    assert.equal(r.compute(), 7); // [5] and [7, 9]
    const copy = new RunningMean({ window: 2 });
    copy.loadStateDict(r.stateDict());
    copy.update([1]);
    assert.equal(copy.compute(), 17 / 3); // [7, 9] and [1]
  });
});

describe('curve inputs', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('rejects NaN scores instead of ranking them', () => {
    const auc = new AUROC({ task: 'binary' });
    const p = t([0.2, NaN]);
    const y = t([0, 1], 'int32');
    assert.throws(() => auc.update(p, y), /NaN/);
    tf.dispose([p, y]);
  });
});
