/** Test helpers: run forward + backward of a closure on a backend and compare results across backends. */
import assert from 'node:assert/strict';
import { tf } from '../../src/runtime/tf.js';
import type { Tensor } from '../../src/runtime/tf.js';

/** Deterministic values in [-1, 1) from a small LCG (independent of Math.random and of the backend). */
export function lcg(n: number, seed = 1): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push((s / 4294967296) * 2 - 1);
  }
  return out;
}

/** A float tensor of `shape` filled from `lcg(…, seed)`. */
export function randTensor(shape: number[], seed: number): Tensor {
  return tf.tensor(lcg(shape.reduce((a, b) => a * b, 1), seed), shape, 'float32');
}

/** Output and gradients of sum(f(xs) * r) w.r.t. every input, as plain arrays. */
export interface ForwardBackward {
  out: number[];
  grads: number[][];
}

/** Forward + backward of `f` on freshly built inputs (built by `make`), on the active backend; checks no leak. */
export function forwardBackward(make: () => Tensor[], f: (...xs: Tensor[]) => Tensor): ForwardBackward {
  const before = tf.memory().numTensors;
  const result = tf.tidy(() => {
    const xs = make();
    const out = f(...xs);
    const r = tf.tensor(lcg(out.size, 99), out.shape, 'float32');
    const grads = tf.grads((...ys: Tensor[]) => tf.sum(tf.mul(f(...ys), r)))(xs);
    return {
      out: Array.from(out.dataSync()),
      grads: grads.map((g) => Array.from(g.dataSync())),
    };
  });
  assert.equal(tf.memory().numTensors, before, 'forward + backward leaked tensors');
  return result;
}

/** Largest absolute difference between two equally long arrays. */
export function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  assert.equal(a.length, b.length, 'length mismatch');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
  return Number.isNaN(m) ? Infinity : m;
}

/** Assert `actual` ≈ `expected` elementwise within `tol` (absolute, scaled by max(1, |expected|)). */
export function assertClose(actual: readonly number[], expected: readonly number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} vs ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const e = expected[i] ?? NaN;
    const d = Math.abs((actual[i] ?? NaN) - e);
    if (!(d <= tol * Math.max(1, Math.abs(e)))) {
      assert.fail(`${what}: element ${i} is ${actual[i]}, expected ${e} (diff ${d}, tolerance ${tol})`);
    }
  }
}

/** Compare two forward/backward results. */
export function assertSameResults(actual: ForwardBackward, expected: ForwardBackward, tol: number, what: string): void {
  assertClose(actual.out, expected.out, tol, `${what} output`);
  assert.equal(actual.grads.length, expected.grads.length);
  actual.grads.forEach((g, i) => assertClose(g, expected.grads[i] ?? [], tol, `${what} grad #${i}`));
}
