// Plain-SGD training smoke runs shared by the cpu and wasm tests: the loss must fall and no tensor may leak.
import assert from 'node:assert/strict';
import { tf } from '../../src/runtime/tf.js';
import type { Tensor } from '../../src/runtime/tf.js';
import { valueAndGrads } from '../../src/runtime/autograd.js';
import type { Module } from '../../src/nn/module.js';
import { Linear } from '../../src/nn/linear.js';
import { Conv2d } from '../../src/nn/conv.js';
import { MaxPool2d } from '../../src/nn/pooling.js';
import { ReLU } from '../../src/nn/activation.js';
import { Flatten } from '../../src/nn/shape.js';
import { Embedding } from '../../src/nn/embedding.js';
import { Sequential } from '../../src/nn/container.js';
import * as F from '../../src/nn/functional/index.js';

/** 784-128-256-10 MLP. */
export function mlp(): Sequential {
  return new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 256), new ReLU(), new Linear(256, 10));
}

/** Conv2d(1,8,3) → ReLU → MaxPool2d(2) → Flatten → Linear on 1×12×12 images. */
export function cnn(): Sequential {
  return new Sequential(new Conv2d(1, 8, 3), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(8 * 5 * 5, 10));
}

/** Bag-of-embeddings classifier: Embedding(50, 16, paddingIdx 0) → mean over tokens → Linear(16, 4). */
export class EmbeddingBag extends Sequential {
  readonly emb = new Embedding(50, 16, { paddingIdx: 0 });
  readonly fc = new Linear(16, 4);
  override forward(ids: Tensor): Tensor {
    return tf.tidy(() => this.fc.call(tf.mean(this.emb.call(ids), 1)));
  }
}

/** `steps` of plain SGD on one fixed batch; returns the losses and asserts numTensors is flat after step 1. */
export function trainSgd(model: Module<[Tensor], Tensor>, x: Tensor, y: Tensor, steps = 20, lr = 0.05): number[] {
  const params = model.parameters();
  const losses: number[] = [];
  let baseline: number | undefined;
  for (let i = 0; i < steps; i++) {
    const { value, grads } = valueAndGrads(() => F.crossEntropy(model.call(x), y), params.map((p) => p.value));
    tf.tidy(() => {
      params.forEach((p, j) => {
        const g = grads[j];
        if (g !== null && g !== undefined) p.assign(tf.sub(p.value, tf.mul(g, lr)));
      });
    });
    losses.push(value.dataSync()[0] as number);
    tf.dispose([value, ...grads.filter((g): g is Tensor => g !== null)]);
    if (baseline === undefined) baseline = tf.memory().numTensors;
    else assert.equal(tf.memory().numTensors, baseline, `numTensors changed at step ${i}`);
  }
  return losses;
}

/** Assert the loss fell clearly (last < 70% of the first) and stayed finite. */
export function assertLearns(losses: number[], label: string): void {
  const first = losses[0] as number;
  const last = losses[losses.length - 1] as number;
  assert.ok(losses.every(Number.isFinite), `${label}: finite losses`);
  assert.ok(last < 0.7 * first, `${label}: loss ${first.toFixed(4)} → ${last.toFixed(4)} should fall`);
}

/** Random data: `x` of `shape`, integer labels in [0, classes). */
export function randomBatch(shape: number[], classes: number): { x: Tensor; y: Tensor } {
  return { x: tf.randomNormal(shape), y: tf.randomUniformInt([shape[0] as number], 0, classes) };
}
