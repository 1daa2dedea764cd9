// Runs every layer case of tests/fixtures/nn_layers/layers.json on the current backend: PyTorch's state dict
// loads with the same keys, and the output and all gradients of sum(out * r) match PyTorch's.
import assert from 'node:assert/strict';
import { tf } from '../../src/runtime/tf.js';
import type { Tensor, Variable } from '../../src/runtime/tf.js';
import { valueAndGrads } from '../../src/runtime/autograd.js';
import type { Module } from '../../src/nn/module.js';
import { Linear } from '../../src/nn/linear.js';
import type { LinearOptions } from '../../src/nn/linear.js';
import { Conv1d, Conv2d, ConvTranspose2d } from '../../src/nn/conv.js';
import type { Conv1dOptions, Conv2dOptions, ConvTranspose2dOptions, IntOrPair } from '../../src/nn/conv.js';
import { AdaptiveAvgPool2d, AvgPool2d, MaxPool2d } from '../../src/nn/pooling.js';
import type { AvgPool2dOptions, Pool2dOptions } from '../../src/nn/pooling.js';
import { BatchNorm1d, BatchNorm2d, LayerNorm } from '../../src/nn/normalization.js';
import type { BatchNormOptions, LayerNormOptions } from '../../src/nn/normalization.js';
import { Embedding } from '../../src/nn/embedding.js';
import type { EmbeddingOptions } from '../../src/nn/embedding.js';
import { GELU, LeakyReLU, LogSoftmax, ReLU, SiLU, Sigmoid, Softmax, Tanh } from '../../src/nn/activation.js';
import type { GeluOptions } from '../../src/nn/activation.js';
import { Flatten, Identity } from '../../src/nn/shape.js';
import type { FlattenOptions } from '../../src/nn/shape.js';
import { Sequential } from '../../src/nn/container.js';
import { assertClose, loadCases, toTensor } from './fixture-helpers.js';
import type { FixtureTensor } from './fixture-helpers.js';

/** One layer case written by scripts/fixtures/nn_layers.py. */
export interface LayerCase {
  name: string;
  layer: string;
  args: unknown[];
  train: boolean;
  state_dict: Record<string, FixtureTensor>;
  input: FixtureTensor;
  r: FixtureTensor;
  output: FixtureTensor;
  grad_input: FixtureTensor | null;
  grads: Record<string, FixtureTensor>;
  buffers_after: Record<string, FixtureTensor>;
}

type Layer = Module<[Tensor], Tensor>;
const n = (v: unknown): number => v as number;
const opt = <O>(v: unknown): O => (v ?? {}) as O;

const FACTORIES: Record<string, (a: unknown[]) => Layer> = {
  Linear: (a) => new Linear(n(a[0]), n(a[1]), opt<LinearOptions>(a[2])),
  Conv2d: (a) => new Conv2d(n(a[0]), n(a[1]), a[2] as IntOrPair, opt<Conv2dOptions>(a[3])),
  Conv1d: (a) => new Conv1d(n(a[0]), n(a[1]), n(a[2]), opt<Conv1dOptions>(a[3])),
  ConvTranspose2d: (a) => new ConvTranspose2d(n(a[0]), n(a[1]), a[2] as IntOrPair, opt<ConvTranspose2dOptions>(a[3])),
  MaxPool2d: (a) => new MaxPool2d(a[0] as IntOrPair, opt<Pool2dOptions>(a[1])),
  AvgPool2d: (a) => new AvgPool2d(a[0] as IntOrPair, opt<AvgPool2dOptions>(a[1])),
  AdaptiveAvgPool2d: (a) => new AdaptiveAvgPool2d(a[0] as number | [number | null, number | null]),
  BatchNorm1d: (a) => new BatchNorm1d(n(a[0]), opt<BatchNormOptions>(a[1])),
  BatchNorm2d: (a) => new BatchNorm2d(n(a[0]), opt<BatchNormOptions>(a[1])),
  LayerNorm: (a) => new LayerNorm(a[0] as number | number[], opt<LayerNormOptions>(a[1])),
  Embedding: (a) => new Embedding(n(a[0]), n(a[1]), opt<EmbeddingOptions>(a[2])),
  ReLU: () => new ReLU(),
  LeakyReLU: (a) => new LeakyReLU(n(a[0])),
  GELU: (a) => new GELU(opt<GeluOptions>(a[0])),
  SiLU: () => new SiLU(),
  Tanh: () => new Tanh(),
  Sigmoid: () => new Sigmoid(),
  Softmax: (a) => new Softmax(n(a[0])),
  LogSoftmax: (a) => new LogSoftmax(n(a[0])),
  Flatten: (a) => new Flatten(opt<FlattenOptions>(a[0])),
  Identity: () => new Identity(),
  MLP: () => new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3)),
  CNN: () => new Sequential(new Conv2d(1, 4, 3), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(36, 5)),
};

/** The layer cases of the fixture file. */
export const layerCases = loadCases<LayerCase>('layers');

/** Build, load, run forward + backward and compare one case; returns the max abs difference seen. */
export function checkLayerCase(c: LayerCase, tol = 1e-5): number {
  const factory = FACTORIES[c.layer];
  assert.ok(factory, `no factory for ${c.layer}`);
  const module = factory(c.args);
  module.train(c.train);
  const state = Object.fromEntries(Object.entries(c.state_dict).map(([k, v]) => [k, toTensor(v)]));
  assert.deepEqual(Object.keys(module.stateDict()), Object.keys(c.state_dict), `${c.name}: state dict keys and order`);
  module.loadStateDict(state);
  Object.values(state).forEach((t) => t.dispose());

  const raw = toTensor(c.input);
  const x: Tensor = c.grad_input === null ? raw : tf.variable(raw);
  const r = toTensor(c.r);
  const named = module.namedParameters();
  const vars: Variable[] = [...(x instanceof tf.Variable ? [x] : []), ...named.map(([, p]) => p.value)];
  let out: Tensor | undefined;
  const { value, grads } = valueAndGrads(() => {
    out = tf.keep(module.call(x));
    return tf.sum(tf.mul(out, r));
  }, vars);
  let maxDiff = assertClose(out as Tensor, c.output, `${c.name} output`, tol);
  const gradOf = new Map(vars.map((v, i) => [v, grads[i] ?? null]));
  if (c.grad_input !== null) {
    maxDiff = Math.max(maxDiff, assertClose(gradOf.get(x as Variable) ?? tf.zerosLike(x), c.grad_input, `${c.name} d input`, tol));
  }
  for (const [name, p] of named) {
    const expected = c.grads[name];
    assert.ok(expected, `${c.name}: PyTorch has no gradient for ${name}`);
    maxDiff = Math.max(maxDiff, assertClose(gradOf.get(p.value) ?? tf.zerosLike(p.value), expected, `${c.name} d ${name}`, tol));
  }
  const buffers = new Map(module.namedBuffers());
  for (const [name, expected] of Object.entries(c.buffers_after)) {
    const b = buffers.get(name);
    assert.ok(b, `${c.name}: missing buffer ${name}`);
    maxDiff = Math.max(maxDiff, assertClose(b.value, expected, `${c.name} buffer ${name}`, tol));
  }
  [value, r, x, out, ...grads].forEach((t) => t?.dispose());
  if (x !== raw) raw.dispose();
  module.dispose();
  return maxDiff;
}
