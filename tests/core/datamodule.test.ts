import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { selectBackend } from '../../src/runtime/backend.js';
import { LightningDataModule } from '../../src/core/datamodule.js';
import type { Stage } from '../../src/core/datamodule.js';
import { DataLoader } from '../../src/data/dataloader.js';
import { disposeBatch } from '../../src/data/collate.js';
import type { Dataset } from '../../src/data/dataset.js';

const range = (n: number) => ({ length: n, get: (i: number) => i });

class RecordingData extends LightningDataModule {
  readonly calls: string[] = [];
  train: Dataset<number> | undefined;
  #cursor = 0;
  constructor(readonly options: { batchSize: number; secret?: string }) {
    super();
    this.saveHyperparameters(options, { ignore: ['secret'] });
  }
  override prepareData(): void {
    this.calls.push('prepareData');
  }
  override setup(stage: Stage): void {
    this.calls.push(`setup(${stage})`);
    this.train = range(10);
  }
  override trainDataloader(): DataLoader<number> {
    this.calls.push('trainDataloader');
    return new DataLoader(this.train!, { batchSize: this.options.batchSize });
  }
  override teardown(stage: Stage): void {
    this.calls.push(`teardown(${stage})`);
  }
  override stateDict(): Record<string, unknown> {
    return { cursor: this.#cursor };
  }
  override loadStateDict(state: Record<string, unknown>): void {
    this.#cursor = state.cursor as number;
  }
}

describe('LightningDataModule', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('exposes the hooks, frozen hparams (with ignore) and a state dict', () => {
    const dm = new RecordingData({ batchSize: 4, secret: 'x' });
    assert.deepEqual(dm.hparams, { batchSize: 4 });
    assert.ok(Object.isFrozen(dm.hparams));
    assert.equal(dm.prepareDataPerNode, true);
    dm.prepareData();
    dm.setup('fit');
    const loader = dm.trainDataloader();
    assert.equal(loader.length, 3);
    dm.teardown('fit');
    assert.deepEqual(dm.calls, ['prepareData', 'setup(fit)', 'trainDataloader', 'teardown(fit)']);
    dm.loadStateDict({ cursor: 7 });
    assert.deepEqual(dm.stateDict(), { cursor: 7 });
    assert.equal(String(dm), 'RecordingData(trainDataloader)');
    assert.equal('valDataloader' in new LightningDataModule(), false, 'hooks are optional');
  });

  it('fromDatasets builds loaders (train shuffled, the others in order; lists give several loaders)', async () => {
    const dm = LightningDataModule.fromDatasets({ train: range(8), val: [range(4), range(6)], batchSize: 4 });
    assert.deepEqual(dm.hparams, { batchSize: 4, numWorkers: 0 });
    assert.equal('testDataloader' in dm, false);
    const train = (await dm.trainDataloader?.()) as DataLoader;
    const val = (await dm.valDataloader?.()) as DataLoader[];
    assert.equal(val.length, 2);
    assert.deepEqual(val.map((v) => v.length), [1, 2]);
    const order: number[] = [];
    for await (const b of train) {
      order.push(...Array.from((b as { dataSync(): Int32Array }).dataSync()));
      disposeBatch(b);
    }
    assert.deepEqual([...order].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.ok(train.sampler?.constructor.name === 'RandomSampler');
    assert.ok(val[0]!.sampler?.constructor.name === 'SequentialSampler');
  });
});
