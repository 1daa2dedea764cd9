import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
import type { Tensor } from '../../src/runtime/tf.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { calculateFans } from '../../src/nn/init.js';
import { Linear } from '../../src/nn/linear.js';
import { Conv1d, Conv2d, ConvTranspose2d } from '../../src/nn/conv.js';
import { Embedding } from '../../src/nn/embedding.js';
import { BatchNorm2d, LayerNorm } from '../../src/nn/normalization.js';

function stats(t: Tensor): { min: number; max: number; mean: number; std: number } {
  const d = Array.from(t.dataSync());
  const mean = d.reduce((a, b) => a + b, 0) / d.length;
  const std = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length);
  return { min: Math.min(...d), max: Math.max(...d), mean, std };
}

/** Uniform(−bound, bound): inside the bound, reaching close to it, mean ≈ 0 and std ≈ bound/√3. */
function assertUniform(t: Tensor, bound: number, label: string): void {
  const s = stats(t);
  assert.ok(s.min >= -bound && s.max <= bound, `${label}: values within ±${bound} (got ${s.min}..${s.max})`);
  assert.ok(s.min < -0.9 * bound && s.max > 0.9 * bound, `${label}: values fill the range (got ${s.min}..${s.max})`);
  assert.ok(Math.abs(s.mean) < 0.05 * bound, `${label}: mean ≈ 0 (got ${s.mean})`);
  assert.ok(Math.abs(s.std / (bound / Math.sqrt(3)) - 1) < 0.05, `${label}: std ≈ bound/√3 (got ${s.std})`);
}

describe("default initialisation follows torch.nn's formulas", () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('computes fan_in / fan_out like PyTorch (dim 1 is fan_in, also for transposed convs)', () => {
    assert.deepEqual(calculateFans([128, 784]), { fanIn: 784, fanOut: 128 });
    assert.deepEqual(calculateFans([32, 16, 3, 3]), { fanIn: 144, fanOut: 288 });
  });

  it('Linear: kaiming_uniform(a=√5) weight → U(±1/√fan_in), bias U(±1/√fan_in)', () => {
    const fc = new Linear(784, 128);
    // gain = √(2/(1+5)), bound = √3·gain/√fan_in = 1/√fan_in
    assertUniform(fc.weight.value, 1 / Math.sqrt(784), 'Linear.weight');
    assert.ok(stats(fc.bias!.value).max <= 1 / 28);
    const wide = new Linear(4, 4000);
    assertUniform(wide.bias!.value, 1 / 2, 'Linear.bias');
    fc.dispose();
    wide.dispose();
  });

  it('Conv1d/Conv2d/ConvTranspose2d use fan_in = weight.shape[1]·kernel', () => {
    const conv = new Conv2d(16, 32, 3);
    assert.deepEqual(conv.weight.shape, [32, 16, 3, 3]);
    assertUniform(conv.weight.value, 1 / 12, 'Conv2d.weight');
    const grouped = new Conv2d(16, 64, [3, 5], { groups: 4 });
    assert.deepEqual(grouped.weight.shape, [64, 4, 3, 5]);
    assertUniform(grouped.weight.value, 1 / Math.sqrt(60), 'grouped Conv2d.weight');
    const wideBias = new Conv2d(1, 4000, 2);
    assertUniform(wideBias.bias!.value, 1 / 2, 'Conv2d.bias');
    const convT = new ConvTranspose2d(64, 8, 3);
    assert.deepEqual(convT.weight.shape, [64, 8, 3, 3]);
    assertUniform(convT.weight.value, 1 / Math.sqrt(72), 'ConvTranspose2d.weight');
    const conv1 = new Conv1d(20, 50, 5);
    assert.deepEqual(conv1.weight.shape, [50, 20, 5]);
    assertUniform(conv1.weight.value, 1 / 10, 'Conv1d.weight');
    [conv, grouped, wideBias, convT, conv1].forEach((m) => m.dispose());
  });

  it('Embedding ~ N(0, 1) with the padding row zero; norms start at weight 1, bias 0, running stats 0/1', () => {
    const emb = new Embedding(500, 40, { paddingIdx: -1 });
    assert.equal(emb.paddingIdx, 499);
    const s = stats(emb.weight.value);
    assert.ok(Math.abs(s.mean) < 0.03 && Math.abs(s.std - 1) < 0.03, `N(0,1): mean ${s.mean}, std ${s.std}`);
    assert.ok(Array.from(tf.tidy(() => tf.slice(emb.weight.value, [499, 0], [1, 40])).dataSync()).every((v) => v === 0));
    const bn = new BatchNorm2d(3);
    const sd = bn.stateDict();
    assert.deepEqual(Object.keys(sd), ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    assert.deepEqual(Array.from(sd.weight!.dataSync()), [1, 1, 1]);
    assert.deepEqual(Array.from(sd.bias!.dataSync()), [0, 0, 0]);
    assert.deepEqual(Array.from(sd.running_mean!.dataSync()), [0, 0, 0]);
    assert.deepEqual(Array.from(sd.running_var!.dataSync()), [1, 1, 1]);
    assert.equal(sd.num_batches_tracked!.dtype, 'int32');
    const ln = new LayerNorm([2, 3]);
    assert.deepEqual(ln.weight!.shape, [2, 3]);
    [emb, bn, ln].forEach((m) => m.dispose());
  });
});
