import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
import type { Tensor } from '../../src/runtime/tf.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { Linear } from '../../src/nn/linear.js';
import { disposeCheckpoint } from '../../src/checkpoint/document.js';
import type { CheckpointDocument } from '../../src/checkpoint/document.js';
import { UnsupportedCheckpointVersionError, migrateCheckpoint } from '../../src/checkpoint/migrations.js';
import type { CheckpointMigration } from '../../src/checkpoint/migrations.js';
import { decodeSafetensors, encodeSafetensors, typedArrayToRaw } from '../../src/checkpoint/safetensors.js';
import { deserializeCheckpoint, readStateDict, serializeCheckpoint } from '../../src/checkpoint/serialize.js';
import { CorruptFileError, MisconfigurationError } from '../../src/errors.js';

function bits(t: Tensor): number[] {
  const values = t.dataSync();
  return [...new Uint8Array(values.buffer, values.byteOffset, values.byteLength)];
}

function makeDocument(lin: Linear): CheckpointDocument {
  return {
    epoch: 3,
    globalStep: 120,
    lightningTsVersion: '0.1.0',
    stateDict: lin.stateDict(),
    loops: { fitLoop: { epochProgress: { total: { ready: 4, completed: 3 } } } },
    callbacks: {
      'EarlyStopping{"monitor":"val_loss","mode":"min"}': { wait: 1, bestScore: Infinity, stoppedEpoch: 0 },
      'ModelCheckpoint{"monitor":null}': { bestModelScore: null, kthValue: -Infinity, lastScore: NaN, bestKModels: {} },
    },
    optimizerStates: [
      {
        state: { 0: { step: 120, expAvg: tf.tensor2d([[0.5, -1e-8, 3]]), expAvgSq: tf.tensor2d([[1, 2, 3]]) } },
        paramGroups: [{ lr: 1e-3, betas: [0.9, 0.999], params: [0, 1] }],
      },
    ],
    lrSchedulers: [{ lastEpoch: 3, baseLrs: [1e-3] }],
    hyperParameters: { hidden: 3, name: 'mlp', nested: { dropout: 0.1, tags: ['a', 'b'] } },
    datamoduleHyperParameters: { batchSize: 32 },
    rng: { seed: 42, generator: { mt: [1, 2, 3], index: 624 } },
    dataloaders: { train: { samplesSeen: 64, mask: tf.tensor1d([1, 0, 1], 'int32') } },
    userKey: { __tensor__: 'not a reference', flag: tf.tensor1d([true, false], 'bool') },
  };
}

describe('checkpoint document', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('round-trips weights, optimizer tensors and nested metadata bit for bit without leaking tensors', async () => {
    const lin = new Linear(3, 2);
    const document = makeDocument(lin);
    const bytes = await serializeCheckpoint(document);
    const beforeLoad = tf.memory().numTensors;
    const loaded = deserializeCheckpoint(bytes);
    assert.equal(tf.memory().numTensors, beforeLoad + 6);
    assert.deepEqual(Object.keys(loaded.stateDict), ['weight', 'bias']);
    assert.deepEqual(bits(loaded.stateDict.weight!), bits(lin.weight.value));
    assert.deepEqual(bits(loaded.stateDict.bias!), bits(lin.bias!.value));
    const opt = (loaded.optimizerStates as Array<{ state: Record<string, Record<string, Tensor | number>> }>)[0]!;
    assert.deepEqual((opt.state['0']!.expAvg as Tensor).arraySync(), [[0.5, -1e-8, 3].map(Math.fround)]);
    assert.equal(opt.state['0']!.step, 120);
    const userKey = loaded.userKey as Record<string, unknown>;
    assert.equal(userKey.__tensor__, 'not a reference');
    assert.equal((userKey.flag as Tensor).dtype, 'bool');
    assert.deepEqual((userKey.flag as Tensor).arraySync(), [1, 0]);
    const es = loaded.callbacks!['EarlyStopping{"monitor":"val_loss","mode":"min"}'] as Record<string, number>;
    assert.equal(es.bestScore, Infinity);
    const mc = loaded.callbacks!['ModelCheckpoint{"monitor":null}'] as Record<string, number | null>;
    assert.equal(mc.kthValue, -Infinity);
    assert.ok(Number.isNaN(mc.lastScore));
    assert.equal(mc.bestModelScore, null);
    const { stateDict: _a, optimizerStates: _b, dataloaders: _c, userKey: _d, ...plain } = loaded;
    const { stateDict: _e, optimizerStates: _f, dataloaders: _g, userKey: _h, ...plainIn } = document;
    assert.deepEqual(plain, plainIn);
    assert.equal(((loaded.dataloaders as Record<string, Record<string, Tensor>>).train!.mask!).dtype, 'int32');
    disposeCheckpoint(loaded);
    assert.equal(tf.memory().numTensors, beforeLoad);
    disposeCheckpoint({ ...document, stateDict: {} });
    lin.dispose();
  });

  it('names weights like PyTorch and every other tensor with an "@" path, metadata as format "pt" + JSON', async () => {
    const lin = new Linear(3, 2);
    const document = makeDocument(lin);
    const { tensors, metadata } = decodeSafetensors(await serializeCheckpoint(document));
    assert.deepEqual([...tensors.keys()].sort(), [
      '@dataloaders/train/mask',
      '@optimizerStates/0/state/0/expAvg',
      '@optimizerStates/0/state/0/expAvgSq',
      '@userKey/flag',
      'bias',
      'weight',
    ]);
    assert.equal(metadata.format, 'pt');
    const json = JSON.parse(metadata.lightning_ts!) as Record<string, unknown>;
    assert.equal(json.formatVersion, 1);
    assert.deepEqual(json.stateDict, { weight: { __tensor__: 'weight' }, bias: { __tensor__: 'bias' } });
    const weightsOnly = readStateDict(await serializeCheckpoint(document));
    assert.deepEqual(Object.keys(weightsOnly).sort(), ['bias', 'weight']);
    disposeCheckpoint(weightsOnly);
    disposeCheckpoint({ ...document, stateDict: {} });
    lin.dispose();
  });

  it('refuses values it cannot store, with the path in the message', async () => {
    const base: CheckpointDocument = { epoch: 0, globalStep: 0, lightningTsVersion: '0.1.0', stateDict: {} };
    await assert.rejects(serializeCheckpoint({ ...base, extra: { when: new Date() as never } }), (e: unknown) =>
      e instanceof MisconfigurationError && /"extra.when" is an instance of Date/.test(e.message),
    );
    const t = tf.scalar(1);
    await assert.rejects(serializeCheckpoint({ ...base, stateDict: { '@x': t } }), /reserved/);
    t.dispose();
    await assert.rejects(serializeCheckpoint({ ...base, stateDict: { w: t } }), /disposed/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await assert.rejects(serializeCheckpoint({ ...base, extra: cyclic as never }), /"extra.self" is nested deeper than 500 levels or contains itself/);
  });

  it('keeps a "__proto__" key as data and rejects hostile nesting without exhausting the stack', async () => {
    const base: CheckpointDocument = { epoch: 0, globalStep: 0, lightningTsVersion: '0.1.0', stateDict: {} };
    const loaded = deserializeCheckpoint(await serializeCheckpoint({ ...base, extra: JSON.parse('{"__proto__": {"polluted": 1}}') as never }));
    assert.deepEqual(Object.keys(loaded.extra as object), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((loaded.extra as Record<string, unknown>).polluted, undefined);
    const deep = `{"formatVersion":1,"epoch":0,"globalStep":0,"lightningTsVersion":"0","stateDict":{},"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    assert.throws(() => deserializeCheckpoint(encodeSafetensors({}, { format: 'pt', lightning_ts: deep })), (e: unknown) => e instanceof CorruptFileError && /nested deeper than 500/.test(e.message));
  });

  it('migrates a version-0 (Lightning snake_case) document and applies migration chains in order', () => {
    const v0 = encodeSafetensors(
      { 'fc.weight': typedArrayToRaw(new Float32Array([1, 2]), [1, 2]) },
      {
        format: 'pt',
        lightning_ts: JSON.stringify({
          epoch: 1,
          global_step: 10,
          'pytorch-lightning_version': '2.6.2',
          state_dict: { 'fc.weight': { __tensor__: 'fc.weight' } },
          hyper_parameters: { lr: 0.1 },
          optimizer_states: [],
        }),
      },
    );
    const loaded = deserializeCheckpoint(v0);
    assert.equal(loaded.globalStep, 10);
    assert.equal(loaded.lightningTsVersion, '2.6.2');
    assert.deepEqual(loaded.hyperParameters, { lr: 0.1 });
    assert.deepEqual(loaded.stateDict['fc.weight']!.arraySync(), [[1, 2]]);
    disposeCheckpoint(loaded);

    const calls: string[] = [];
    const step = (n: number): CheckpointMigration => (d) => {
      calls.push(`${n}->${n + 1}`);
      return { ...d, [`m${n}`]: true };
    };
    const chain = new Map([[1, step(1)], [2, step(2)]]);
    const out = migrateCheckpoint({ formatVersion: 1 }, { migrations: chain, targetVersion: 3 });
    assert.deepEqual(calls, ['1->2', '2->3']);
    assert.deepEqual(out, { formatVersion: 3, m1: true, m2: true });
    assert.throws(() => migrateCheckpoint({ formatVersion: 0 }, { migrations: chain, targetVersion: 3 }), /No migration from checkpoint format version 0 to 1/);
  });

  it('tells the user to upgrade for a newer format version, and lists invalid fields', () => {
    const file = (doc: unknown): Uint8Array => encodeSafetensors({}, { format: 'pt', lightning_ts: JSON.stringify(doc) });
    assert.throws(
      () => deserializeCheckpoint(file({ formatVersion: 7, epoch: 0 })),
      (e: unknown) => e instanceof UnsupportedCheckpointVersionError && /format version 7/.test(e.message) && /upgrade lightning-ts/.test(e.hint ?? ''),
    );
    assert.throws(
      () => deserializeCheckpoint(file({ formatVersion: 1, epoch: -1, globalStep: 'x', lightningTsVersion: '0.1.0', stateDict: {} })),
      (e: unknown) => e instanceof CorruptFileError && /epoch: /.test(e.message) && /globalStep: /.test(e.message),
    );
    assert.throws(() => deserializeCheckpoint(encodeSafetensors({}, { format: 'pt', lightning_ts: '{"epoch": 1,' })), /"lightning_ts" metadata is not valid JSON/);
    assert.throws(() => deserializeCheckpoint(encodeSafetensors({}, { format: 'pt' })), /plain weights file/);
    const dangling = file({ formatVersion: 1, epoch: 0, globalStep: 0, lightningTsVersion: '0', stateDict: { w: { __tensor__: 'w' } } });
    const before = tf.memory().numTensors;
    assert.throws(() => deserializeCheckpoint(dangling), /"stateDict.w" refers to tensor "w", which the file does not contain/);
    assert.equal(tf.memory().numTensors, before);
  });
});

describe('NodeCheckpointIO', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ltckpt-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('saves atomically into new directories, lists, links, loads and removes', async () => {
    const { NodeCheckpointIO, removeStaleTempFiles } = await import('../../src/checkpoint/node-checkpoint-io.js');
    const { loadCheckpoint, saveCheckpoint } = await import('../../src/checkpoint/checkpoint.js');
    const io = new NodeCheckpointIO();
    const lin = new Linear(2, 2);
    const path = join(dir, 'a', 'b', 'epoch=0.ckpt');
    await saveCheckpoint(path, { epoch: 0, globalStep: 5, lightningTsVersion: '0.1.0', stateDict: lin.stateDict() }, io);
    await io.link(path, join(dir, 'a', 'b', 'last.ckpt'));
    await writeFile(join(dir, 'a', 'b', 'epoch=0.ckpt.tmp-999999999-0123456789ab'), 'torn');
    assert.deepEqual(await io.list(join(dir, 'a', 'b')), ['epoch=0.ckpt', 'last.ckpt']);
    const loaded = await loadCheckpoint(join(dir, 'a', 'b', 'last.ckpt'), io);
    assert.equal(loaded.globalStep, 5);
    assert.deepEqual(bits(loaded.stateDict.weight!), bits(lin.weight.value));
    disposeCheckpoint(loaded);
    assert.deepEqual(await removeStaleTempFiles(join(dir, 'a', 'b')), ['epoch=0.ckpt.tmp-999999999-0123456789ab']);
    await assert.rejects(loadCheckpoint(path, io, { maxBytes: 10 }), (e: unknown) => e instanceof CorruptFileError && /more than the limit of 10/.test(e.message));
    await assert.rejects(io.load(dir), /not a regular file/);
    await io.remove(path);
    await io.remove(path);
    assert.equal(await io.exists(path), false);
    await assert.rejects(io.load(path), (e: unknown) => e instanceof MisconfigurationError && /not found/.test(e.message));
    assert.deepEqual(await io.list(join(dir, 'missing')), []);
    assert.deepEqual((await readdir(join(dir, 'a', 'b'))).sort(), ['last.ckpt']);
    lin.dispose();
  });
});
