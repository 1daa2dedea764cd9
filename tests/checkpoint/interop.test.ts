// Fixtures from scripts/fixtures/checkpoint_interop.py (PyTorch 1.13); the reverse direction (a lightning-ts
// checkpoint opened in PyTorch) runs in that script's `check` mode.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
import type { Tensor } from '../../src/runtime/tf.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { Module } from '../../src/nn/module.js';
import { Linear } from '../../src/nn/linear.js';
import { Buffer } from '../../src/nn/parameter.js';
import { disposeCheckpoint } from '../../src/checkpoint/document.js';
import { decodeSafetensors } from '../../src/checkpoint/safetensors.js';
import { readStateDict, serializeStateDict } from '../../src/checkpoint/serialize.js';
import { rawToTensor } from '../../src/checkpoint/tensor-bytes.js';
import { StateDictError } from '../../src/errors.js';

const FIXTURES = new URL('../fixtures/checkpoint/', import.meta.url);

/** The lightning-ts twin of `Mlp` in scripts/fixtures/checkpoint_interop.py. */
class Mlp extends Module<[Tensor], Tensor> {
  readonly fc1 = new Linear(4, 8);
  readonly fc2 = new Linear(8, 3);
  readonly steps = new Buffer(tf.scalar(0, 'int32'));
  override forward(x: Tensor): Tensor {
    return tf.tidy(() => this.fc2.call(tf.tanh(this.fc1.call(x))));
  }
}

interface MlpFixture {
  input: number[][];
  output: number[][];
  steps: number;
}

describe('PyTorch interop', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('loads a PyTorch-saved safetensors state dict into the matching module with the same outputs', async () => {
    const fixture = JSON.parse(readFileSync(new URL('torch_mlp.json', FIXTURES), 'utf8')) as MlpFixture;
    const stateDict = readStateDict(readFileSync(new URL('torch_mlp.safetensors', FIXTURES)));
    assert.equal(stateDict.steps!.dtype, 'int32');
    const model = new Mlp();
    model.loadStateDict(stateDict);
    disposeCheckpoint(stateDict);
    assert.equal(model.steps.value.arraySync(), fixture.steps);
    const y = model.call(tf.tensor2d(fixture.input));
    const got = y.arraySync() as number[][];
    const maxDiff = Math.max(...got.flatMap((row, i) => row.map((v, j) => Math.abs(v - fixture.output[i]![j]!))));
    assert.ok(maxDiff < 1e-6, `max difference ${maxDiff}`);
    y.dispose();

    // Saving it back gives the same tensors, names and order of the PyTorch layout.
    const saved = decodeSafetensors(await serializeStateDict(model.stateDict()));
    assert.deepEqual([...saved.tensors.keys()].sort(), ['fc1.bias', 'fc1.weight', 'fc2.bias', 'fc2.weight', 'steps']);
    assert.deepEqual(saved.tensors.get('fc1.weight')!.shape, [8, 4]);
    model.dispose();
  });

  it('converts every PyTorch dtype to float32, int32 or bool with the values torch stored', () => {
    const expected = JSON.parse(readFileSync(new URL('dtypes.json', FIXTURES), 'utf8')) as Record<string, { shape: number[]; values: Array<number | boolean> }>;
    const tensors = readStateDict(readFileSync(new URL('dtypes.safetensors', FIXTURES)));
    const wantDtype: Record<string, string> = { f64: 'float32', f16: 'float32', bf16: 'float32', scalar: 'float32', empty: 'float32', flags: 'bool' };
    for (const [name, { shape, values }] of Object.entries(expected)) {
      const t = tensors[name]!;
      assert.deepEqual(t.shape, shape, name);
      assert.equal(t.dtype, wantDtype[name] ?? 'int32', name);
      const got = [...t.dataSync()];
      const want = values.map((v) => (typeof v === 'boolean' ? Number(v) : t.dtype === 'float32' ? Math.fround(v) : v));
      assert.deepEqual(got, want, name);
    }
    disposeCheckpoint(tensors);
  });

  it('refuses int64 values outside the int32 range instead of wrapping them', () => {
    const bytes = readFileSync(new URL('dtypes.safetensors', FIXTURES));
    const { tensors } = decodeSafetensors(bytes);
    const i64 = tensors.get('i64')!;
    new DataView(i64.bytes.buffer, i64.bytes.byteOffset).setBigInt64(8, 2n ** 40n, true);
    assert.throws(() => rawToTensor('i64', i64), (e: unknown) => e instanceof StateDictError && /1099511627776, outside the int32 range/.test(e.message));
  });
});
