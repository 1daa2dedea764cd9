// ModelSummary / summarize: rows (name, type, params, mode, shapes from exampleInputArray), totals and the table.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ModelSummary } from '../../src/callbacks/model-summary.js';
import { formatCount, formatSummaryTable, summarize } from '../../src/callbacks/layer-summary.js';
import { LightningModule } from '../../src/core/module.js';
import { ReLU } from '../../src/nn/activation.js';
import { Sequential } from '../../src/nn/container.js';
import { Linear } from '../../src/nn/linear.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { tf } from '../../src/runtime/tf.js';
import type { Tensor } from '../../src/runtime/tf.js';
import { Trainer } from '../../src/trainer/trainer.js';
import { BoringModel } from '../helpers/boring-model.js';

class Net extends LightningModule<Tensor> {
  readonly encoder = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
  readonly head = new Linear(3, 2);
  override forward(x: Tensor): Tensor {
    return this.head.call(this.encoder.call(x));
  }
}

describe('ModelSummary', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('summarizes top-level layers with totals, modes and no shapes without an example input', () => {
    const net = new Net();
    for (const p of net.head.parameters()) p.requiresGrad = false;
    net.head.eval();
    const s = summarize(net, 1);
    assert.deepEqual(s.layers, [
      { name: 'encoder', type: 'Sequential', params: 4 * 8 + 8 + 8 * 3 + 3, mode: 'train' },
      { name: 'head', type: 'Linear', params: 8, mode: 'eval' },
    ]);
    assert.equal(s.totalParams, 75);
    assert.equal(s.trainableParams, 67);
    assert.equal(s.nonTrainableParams, 8);
    assert.equal(s.modelSizeMb, 75 * 4 / 1e6);
    assert.equal(s.modulesInTrainMode, 5); // root, encoder, encoder.0, encoder.1, encoder.2
    assert.equal(s.modulesInEvalMode, 1);
    assert.equal(s.hasShapes, false);
  });

  it('captures input and output shapes of every layer with exampleInputArray, leak-free, modes restored', () => {
    const net = new Net();
    net.exampleInputArray = tf.zeros([5, 4]);
    const before = tf.memory().numTensors;
    const s = summarize(net, -1);
    assert.equal(tf.memory().numTensors, before);
    assert.ok(net.modules().every((m) => m.training));
    assert.deepEqual(s.layers.map((l) => [l.name, l.type, l.params, l.inSizes, l.outSizes]), [
      ['encoder', 'Sequential', 67, [5, 4], [5, 3]],
      ['encoder.0', 'Linear', 40, [5, 4], [5, 8]],
      ['encoder.1', 'ReLU', 0, [5, 8], [5, 8]],
      ['encoder.2', 'Linear', 27, [5, 8], [5, 3]],
      ['head', 'Linear', 8, [5, 3], [5, 2]],
    ]);
    const table = formatSummaryTable(s);
    assert.equal(table.split('\n')[0], '  | Name      | Type       | Params | Mode  | In sizes | Out sizes');
    assert.match(table, /\n0 \| encoder   \| Sequential \| 67     \| train \| \[5, 4\]   \| \[5, 3\]\n/);
    assert.match(table, /\n75        Total params\n0\.000     Total estimated model params size \(MB\)\n6         Modules in train mode\n0         Modules in eval mode$/);
    net.exampleInputArray.dispose();
  });

  it('shows "?" for layers the forward never called, and totals only at depth 0', () => {
    class Partial extends Net {
      readonly unused = new Linear(2, 2);
    }
    const net = new Partial();
    net.exampleInputArray = tf.zeros([1, 4]);
    const s = summarize(net, 1);
    assert.deepEqual(s.layers.at(-1), { name: 'unused', type: 'Linear', params: 6, mode: 'train', inSizes: '?', outSizes: '?' });
    assert.equal(summarize(net, 0).layers.length, 0);
    assert.ok(!formatSummaryTable(summarize(net, 0)).includes('|'));
    net.exampleInputArray.dispose();
  });

  it('formats counts like Lightning', () => {
    assert.deepEqual([66, 999, 1234, 2_000_000, 3.21e9].map(formatCount), ['66', '999', '1.2 K', '2.0 M', '3.2 B']);
  });

  it('prints the table at fit start', async () => {
    const printed: string[] = [];
    const model = new BoringModel();
    model.exampleInputArray = tf.zeros([2, 32]);
    const trainer = new Trainer({
      maxEpochs: 1, limitTrainBatches: 1, limitValBatches: 0, enableProgressBar: false, enableModelSummary: false, enableCheckpointing: false,
      logger: false, handleSignals: false, callbacks: [new ModelSummary({ print: (t) => printed.push(t) })],
    });
    await trainer.fit(model);
    assert.equal(printed.length, 1);
    assert.match(printed[0] ?? '', /0 \| layer \| Linear \| 66     \| train \| \[2, 32\]  \| \[2, 2\]/);
    assert.match(printed[0] ?? '', /66        Trainable params/);
    model.exampleInputArray.dispose();
  });

  it('rejects an invalid maxDepth', () => {
    assert.throws(() => new ModelSummary({ maxDepth: -2 }), /maxDepth must be an integer >= -1/);
  });
});
