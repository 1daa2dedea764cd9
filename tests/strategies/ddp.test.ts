import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { Module } from '../../src/nn/module.js';
import { Linear } from '../../src/nn/linear.js';
import { Buffer, Parameter } from '../../src/nn/parameter.js';
import { seedEverything } from '../../src/utilities/seed.js';
import { MisconfigurationError } from '../../src/errors.js';
import { DDPStrategy } from '../../src/strategies/ddp.js';
import { CollectiveError, SingleProcessCollective, allGatherVariable } from '../../src/strategies/collective.js';
import { createLocalGroup } from './local-group.js';

class Net extends Module<[tf.Tensor], tf.Tensor> {
  readonly fc1 = new Linear(3, 4);
  readonly fc2 = new Linear(4, 2);
  readonly steps = new Buffer(tf.tensor([0], [1], 'int32'));
  override forward(x: tf.Tensor): tf.Tensor {
    return this.fc2.call(tf.tanh(this.fc1.call(x)));
  }
}

async function strategies(n: number, bucketBytes?: number): Promise<DDPStrategy[]> {
  const group = createLocalGroup(n);
  return Promise.all(group.map((collective) => DDPStrategy.create({ collective, ...(bucketBytes === undefined ? {} : { bucketBytes }) })));
}

function flat(m: Module): number[] {
  return m.parameters().flatMap((p) => Array.from(p.value.dataSync()));
}

describe('SingleProcessCollective', () => {
  it('is the identity, and mean needs floats', async () => {
    const c = new SingleProcessCollective();
    const a = new Float32Array([1, 2]);
    assert.equal(await c.allReduce(a, 'mean'), a);
    assert.deepEqual(Array.from(a), [1, 2]);
    const gathered = await c.allGather(new Int32Array([3]));
    assert.deepEqual(gathered.map((g) => Array.from(g)), [[3]]);
    assert.throws(() => c.allReduce(new Int32Array([1]), 'mean'), MisconfigurationError);
    assert.throws(() => c.broadcast(a, 1), /root 1 is not a rank/);
  });

  it('DDPStrategy.create() without a launcher and devices 1 is rank 0 of 1', async () => {
    const s = await DDPStrategy.create();
    assert.equal(s.worldSize, 1);
    assert.equal(s.isGlobalZero, true);
    assert.equal(await s.reduce(3, 'mean'), 3);
    assert.deepEqual(await s.broadcast({ a: 1 }), { a: 1 });
    await assert.rejects(DDPStrategy.create({ devices: 0 }), /devices must be a positive integer, received 0/);
    await assert.rejects(DDPStrategy.create({ devices: 2, numNodes: 2 }), /must be started by a launcher on every machine/);
  });
});

describe('DDPStrategy collectives (2 simulated ranks)', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('reduces numbers, decisions, JSON and variable-length arrays', async () => {
    const [a, b] = await strategies(2);
    assert.deepEqual(await Promise.all([a!.reduce(1, 'sum'), b!.reduce(4, 'sum')]), [5, 5]);
    assert.deepEqual(await Promise.all([a!.reduce(1, 'mean'), b!.reduce(4, 'mean')]), [2.5, 2.5]);
    assert.deepEqual(await Promise.all([a!.reduce(1, 'max'), b!.reduce(4, 'max')]), [4, 4]);
    assert.deepEqual(await Promise.all([a!.reduce(1, 'min'), b!.reduce(4, 'min')]), [1, 1]);
    assert.deepEqual(await Promise.all([a!.reduceBooleanDecision(true, true), b!.reduceBooleanDecision(false, true)]), [false, false]);
    assert.deepEqual(await Promise.all([a!.reduceBooleanDecision(false, false), b!.reduceBooleanDecision(true, false)]), [true, true]);
    const sent = { path: 'epoch=3.ckpt', score: 0.25, tags: ['é', null] };
    assert.deepEqual(await Promise.all([a!.broadcast(sent), b!.broadcast({ other: true })]), [sent, sent]);
    assert.deepEqual(await Promise.all([a!.broadcast(undefined, 1), b!.broadcast(undefined, 1)]), [undefined, undefined]);
    const [ga, gb] = await Promise.all([a!.allGather(new Float64Array([1, 2, 3])), b!.allGather(new Float64Array([9]))]);
    assert.deepEqual(ga.map((g) => Array.from(g)), [[1, 2, 3], [9]]);
    assert.deepEqual(gb.map((g) => Array.from(g)), [[1, 2, 3], [9]]);
    const [ma, mb] = [a!.metricCollective(), b!.metricCollective()];
    const [ra] = await Promise.all([ma.allReduce(new Float64Array([1, 5]), 'max'), mb.allReduce(new Float64Array([3, 2]), 'max')]);
    assert.deepEqual(Array.from(ra), [3, 5]);
    const [ca] = await Promise.all([ma.allGather(new Float64Array([])), mb.allGather(new Float64Array([7, 8]))]);
    assert.deepEqual(ca.map((g) => Array.from(g)), [[], [7, 8]]);
  });

  it('allGatherVariable keeps equal lengths on the fast path and names collectives with the current hook', async () => {
    const group = createLocalGroup(3);
    const out = await Promise.all(group.map((c) => allGatherVariable(c, new Int32Array([c.rank, c.rank]))));
    assert.deepEqual(out[2]!.map((g) => Array.from(g)), [[0, 0], [1, 1], [2, 2]]);
    const [a, b] = await strategies(2);
    a!.currentHook = 'on_validation_epoch_end';
    b!.currentHook = 'on_train_epoch_end';
    await assert.rejects(Promise.all([a!.barrier('x'), b!.barrier('x')]), (e: unknown) => {
      assert.ok(e instanceof CollectiveError);
      assert.match(e.message, /on_(validation|train)_epoch_end:x/);
      return true;
    });
  });

  it('broadcastParameters copies rank 0 parameters and buffers to every rank', async () => {
    const [a, b] = await strategies(2);
    seedEverything(1);
    const n0 = new Net();
    n0.steps.assign(tf.tensor([7], [1], 'int32'));
    seedEverything(2);
    const n1 = new Net();
    assert.notDeepEqual(flat(n0), flat(n1));
    const before = flat(n0);
    await Promise.all([a!.broadcastParameters(n0), b!.broadcastParameters(n1)]);
    assert.deepEqual(flat(n1), before);
    assert.deepEqual(flat(n0), before);
    assert.deepEqual(Array.from(n1.steps.value.dataSync()), [7]);
    assert.equal(n1.steps.value.dtype, 'int32');
    n0.dispose();
    n1.dispose();
  });

  it('allReduceGradients averages in several buckets, handles null gradients and leaks no tensors', async () => {
    const [a, b] = await strategies(2, 12); // 12 bytes: at most 3 floats per bucket
    const make = (): Parameter[] => [
      new Parameter(tf.zeros([2])),
      new Parameter(tf.zeros([2, 2])),
      new Parameter(tf.zeros([1])),
      new Parameter(tf.zeros([3])),
    ];
    const pa = make();
    const pb = make();
    const frozen = new Parameter(tf.zeros([2]), { requiresGrad: false });
    const setGrads = (): void => {
      pa[0]!.setGrad(tf.tensor([1, 2]));
      pb[0]!.setGrad(tf.tensor([3, 6]));
      pa[1]!.setGrad(tf.tensor([[1, 1], [1, 1]]));
      pb[1]!.setGrad(null);
      pa[2]!.setGrad(null);
      pb[2]!.setGrad(null);
      pa[3]!.setGrad(tf.tensor([0.1, 0.2, 0.3]));
      pb[3]!.setGrad(tf.tensor([0.3, 0.2, 0.1]));
    };
    setGrads();
    await Promise.all([a!.allReduceGradients([...pa, frozen]), b!.allReduceGradients([...pb, frozen])]);
    for (const ps of [pa, pb]) {
      assert.deepEqual(Array.from(ps[0]!.grad!.dataSync()), [2, 4]);
      assert.deepEqual(ps[1]!.grad!.shape, [2, 2]);
      assert.deepEqual(Array.from(ps[1]!.grad!.dataSync()), [0.5, 0.5, 0.5, 0.5]);
      assert.equal(ps[2]!.grad, null);
      assert.deepEqual(Array.from(ps[3]!.grad!.dataSync()), Array.from(new Float32Array([0.2, 0.2, 0.2])));
    }
    assert.equal(frozen.grad, null);
    setGrads();
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      setGrads();
      await Promise.all([a!.allReduceGradients(pa, { bucketBytes: 1 << 20 }), b!.allReduceGradients(pb, { bucketBytes: 1 << 20 })]);
    }
    assert.equal(tf.memory().numTensors, tensors + 1); // pb[1] now holds a gradient, as pa[1] does
    for (const p of [...pa, ...pb, frozen]) p.dispose();
  });

  it('a wrong-sized gradient is a clear error', async () => {
    const [a] = await strategies(2);
    const p = new Parameter(tf.zeros([3]));
    p.grad = tf.zeros([2]);
    await assert.rejects(a!.allReduceGradients([p]), /2 elements; expected float32 with 3/);
    p.dispose();
  });
});
