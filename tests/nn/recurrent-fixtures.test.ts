import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
import type { Tensor } from '../../src/runtime/tf.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { valueAndGrads } from '../../src/runtime/autograd.js';
import { GRU } from '../../src/nn/gru.js';
import { LSTM } from '../../src/nn/lstm.js';
import { MultiheadAttention } from '../../src/nn/attention.js';
import type { Module } from '../../src/nn/module.js';

interface Stored {
  shape: number[];
  data: number[];
}
interface Fixture {
  config: Record<string, number | boolean | string>;
  state: Record<string, Stored>;
  inputs: Record<string, Stored>;
  masks: Record<string, Stored & { dtype: string }>;
  r: Stored[];
  outputs: Stored[];
  grads: { inputs: Record<string, Stored>; params: Record<string, Stored> };
}

const dir = join(import.meta.dirname, '..', 'fixtures', 'nn_recurrent');
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f.replace('.json', ''), JSON.parse(readFileSync(join(dir, f), 'utf8')) as Fixture] as const);

const num = (c: Fixture['config'], k: string, d: number): number => (typeof c[k] === 'number' ? c[k] : d);
const flag = (c: Fixture['config'], k: string, d: boolean): boolean => (typeof c[k] === 'boolean' ? c[k] : d);

function build(f: Fixture): Module {
  const c = f.config;
  if (c.kind === 'mha') {
    return new MultiheadAttention(num(c, 'embed_dim', 0), num(c, 'num_heads', 1), {
      bias: flag(c, 'bias', true),
      batchFirst: flag(c, 'batch_first', false),
      kdim: num(c, 'kdim', num(c, 'embed_dim', 0)),
      vdim: num(c, 'vdim', num(c, 'embed_dim', 0)),
    });
  }
  const Cls = c.kind === 'lstm' ? LSTM : GRU;
  return new Cls(num(c, 'input_size', 0), num(c, 'hidden_size', 0), {
    numLayers: num(c, 'num_layers', 1),
    bias: flag(c, 'bias', true),
    batchFirst: flag(c, 'batch_first', false),
    bidirectional: flag(c, 'bidirectional', false),
  });
}

const toTensor = (s: Stored): Tensor => tf.tensor(s.data, s.shape, 'float32');

/** The module's returned tensors, flattened in PyTorch's order (output, then states or weights). */
function run(module: Module, f: Fixture, x: Record<string, Tensor>): Tensor[] {
  const kind = f.config.kind;
  if (module instanceof MultiheadAttention) {
    const masks: Record<string, Tensor> = {};
    for (const [k, m] of Object.entries(f.masks)) masks[k] = tf.tensor(m.data, m.shape, m.dtype === 'bool' ? 'bool' : 'float32');
    const [out, w] = module.call(x.query!, x.key!, x.value!, {
      ...(masks.key_padding_mask !== undefined ? { keyPaddingMask: masks.key_padding_mask } : {}),
      ...(masks.attn_mask !== undefined ? { attnMask: masks.attn_mask } : {}),
      averageAttnWeights: flag(f.config, 'average', true),
    });
    return w === null ? [out] : [out, w];
  }
  if (kind === 'lstm' && module instanceof LSTM) {
    const [out, [h, c]] = module.call(x.input!, x.h0 !== undefined ? [x.h0, x.c0!] : undefined);
    return [out, h, c];
  }
  if (module instanceof GRU) {
    const [out, h] = module.call(x.input!, x.h0);
    return [out, h];
  }
  throw new Error(`unknown fixture kind ${String(kind)}`);
}

function assertCloseTo(actual: Tensor, expected: Stored, what: string): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const a = actual.dataSync();
  expected.data.forEach((e, i) => {
    const d = Math.abs((a[i] ?? NaN) - e);
    // 1e-5 absolute, or 1e-4 relative for values above 0.1.
    assert.ok(d <= Math.max(1e-5, 1e-4 * Math.abs(e)), `${what}[${i}]: ${a[i]} vs ${e} (diff ${d})`);
  });
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`LSTM, GRU and MultiheadAttention match PyTorch 1.13 (outputs and gradients) on ${backend}`, () => {
    before(async () => {
      await selectBackend(backend);
    });
    after(async () => {
      await selectBackend('cpu');
    });

    for (const [name, f] of fixtures) {
      it(name, () => {
        const module = build(f);
        assert.deepEqual(Object.keys(module.stateDict()), Object.keys(f.state), 'state-dict keys and order');
        module.loadStateDict(Object.fromEntries(Object.entries(f.state).map(([k, v]) => [k, toTensor(v)])));
        const inputVars = Object.fromEntries(Object.entries(f.inputs).map(([k, v]) => [k, tf.variable(toTensor(v))]));
        const names = module.namedParameters().map(([n]) => n);
        const vars = [...module.parameters().map((p) => p.value), ...Object.values(inputVars)];
        const before = tf.memory().numTensors;
        let outs: Tensor[] = [];
        const { value, grads } = valueAndGrads(() => {
          outs = run(module, f, inputVars).map((o) => tf.keep(o));
          return tf.addN(outs.map((o, i) => tf.sum(tf.mul(o, toTensor(f.r[i]!)))));
        }, vars);
        assert.equal(outs.length, f.outputs.length);
        outs.forEach((o, i) => assertCloseTo(o, f.outputs[i]!, `${name} output ${i}`));
        names.forEach((n, i) => assertCloseTo(grads[i]!, f.grads.params[n]!, `${name} d/d${n}`));
        Object.keys(inputVars).forEach((k, i) => assertCloseTo(grads[names.length + i]!, f.grads.inputs[k]!, `${name} d/d${k}`));
        tf.dispose([value, ...outs, ...grads.filter((g): g is Tensor => g !== null)]);
        assert.equal(tf.memory().numTensors, before, 'no tensor leak');
        module.dispose();
        tf.dispose(Object.values(inputVars));
      });
    }
  });
}
