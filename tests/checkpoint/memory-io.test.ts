// MemoryCheckpointIO (the browser fallback and a test double): the CheckpointIO contract, and a Trainer that saves
// and resumes through it without touching the disk.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkpointIO, setCheckpointIO } from '../../src/checkpoint/default-io.js';
import { MemoryCheckpointIO } from '../../src/checkpoint/memory-checkpoint-io.js';
import { readStateDict } from '../../src/checkpoint/serialize.js';
import { CorruptFileError, MisconfigurationError } from '../../src/errors.js';
import { checkpointToBlob, downloadCheckpoint, importCheckpointFile } from '../../src/checkpoint/checkpoint-files.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { Trainer } from '../../src/trainer/trainer.js';
import { BoringModel, RandomData } from '../helpers/boring-model.js';

describe('MemoryCheckpointIO', () => {
  let previous: Awaited<ReturnType<typeof checkpointIO>>;
  before(async () => {
    await selectBackend('cpu');
    previous = await checkpointIO();
  });
  after(() => setCheckpointIO(previous));

  it('keeps copies of the bytes, lists directories, links by copying and reports missing files', async () => {
    const io = new MemoryCheckpointIO();
    const bytes = Uint8Array.from([1, 2, 3]);
    await io.save('./runs//a/x.ckpt', bytes);
    bytes[0] = 9;
    assert.deepEqual(Array.from(await io.load('runs/a/x.ckpt')), [1, 2, 3]);
    await io.save('runs/a/b/y.ckpt', Uint8Array.from([4]));
    assert.deepEqual(await io.list('runs/a'), ['x.ckpt']);
    assert.deepEqual(await io.list('runs/a/'), ['x.ckpt']);
    await io.link('runs/a/x.ckpt', 'runs/a/last.ckpt');
    assert.deepEqual(Array.from(await io.load('runs/a/last.ckpt')), [1, 2, 3]);
    await io.remove('runs/a/x.ckpt');
    assert.equal(await io.exists('runs/a/x.ckpt'), false);
    await assert.rejects(io.load('runs/a/x.ckpt'), (e: Error) => e instanceof MisconfigurationError && /not found in memory: runs\/a\/x\.ckpt/.test(e.message));
  });

  it('backs ModelCheckpoint and ckptPath "last" when set as the checkpoint IO', async () => {
    const io = new MemoryCheckpointIO();
    setCheckpointIO(io);
    const model = new BoringModel();
    const first = new Trainer({ maxEpochs: 2, defaultRootDir: 'mem-run', logger: false, enableProgressBar: false, enableModelSummary: false, callbacks: [] });
    await first.fit(model, { trainDataloaders: new RandomData(3, 2), valDataloaders: new RandomData(1, 2) });
    const files = await io.list('mem-run/checkpoints');
    assert.deepEqual(files, ['epoch=1-step=6.ckpt']);
    const saved = readStateDict(await io.load(`mem-run/checkpoints/${files[0]}`));
    const weights = model.stateDict();
    for (const [name, t] of Object.entries(saved)) {
      assert.deepEqual(Array.from(t.dataSync()), Array.from(weights[name]!.dataSync()), name);
      t.dispose();
    }
    const resumed = new Trainer({ maxEpochs: 3, defaultRootDir: 'mem-run', logger: false, enableProgressBar: false, enableModelSummary: false });
    await resumed.fit(new BoringModel(), { trainDataloaders: new RandomData(3, 2), valDataloaders: new RandomData(1, 2), ckptPath: `mem-run/checkpoints/${files[0]}` });
    assert.equal(resumed.globalStep, 9);
    assert.deepEqual(await io.list('mem-run/checkpoints'), ['epoch=2-step=9.ckpt']);
  });
});

describe('checkpoint files (download / upload in a page)', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('checkpointToBlob gives the stored bytes; importCheckpointFile stores a valid file unchanged and refuses garbage', async () => {
    const source = new MemoryCheckpointIO();
    const model = new BoringModel();
    const trainer = new Trainer({ maxEpochs: 1, defaultRootDir: 'files-run', logger: false, enableProgressBar: false, enableModelSummary: false, enableCheckpointing: false });
    setCheckpointIO(source);
    try {
      await trainer.fit(model, { trainDataloaders: new RandomData(2, 2) });
      await trainer.saveCheckpoint('files-run/model.ckpt');
    } finally {
      setCheckpointIO(new MemoryCheckpointIO());
    }
    const original = await source.load('files-run/model.ckpt');
    const blob = await checkpointToBlob('files-run/model.ckpt', { io: source });
    assert.deepEqual(new Uint8Array(await blob.arrayBuffer()), original);
    const target = new MemoryCheckpointIO();
    await importCheckpointFile(new File([original.slice()], 'model.ckpt'), 'uploaded/model.ckpt', { io: target });
    assert.deepEqual(await target.load('uploaded/model.ckpt'), original);
    await assert.rejects(importCheckpointFile(new Blob([Uint8Array.from([1, 2, 3])]), 'uploaded/bad.ckpt', { io: target }), CorruptFileError);
    assert.equal(await target.exists('uploaded/bad.ckpt'), false);
    await assert.rejects(downloadCheckpoint('files-run/model.ckpt', { io: source }), /needs a page/);
  });
});
