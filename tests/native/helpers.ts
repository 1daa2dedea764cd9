// Shared by the native-backend tests: loading the backend (skip, or fail when LIGHTNING_NATIVE_REQUIRED=1), seeded
// random data, and running one computation on the cpu and native backends to compare outputs and gradients.
import assert from 'node:assert/strict';
import { tf } from '../../src/runtime/tf.js';
import type { Tensor } from '../../src/runtime/tf.js';

interface NativeModule {
  isNativeAvailable: boolean;
  nativeUnavailableReason: string | undefined;
  nativeFallbackCounts(reset?: boolean): Record<string, number>;
}

let nativeModule: NativeModule | undefined;

async function loadNative(): Promise<string | undefined> {
  try {
    const specifier = '@lightning-ts/backend-native';
    nativeModule = (await import(specifier)) as NativeModule;
    return nativeModule.isNativeAvailable ? undefined : nativeModule.nativeUnavailableReason;
  } catch (cause) {
    return `@lightning-ts/backend-native could not be imported (${String(cause)})`;
  }
}

const reason = await loadNative();
if (reason !== undefined && process.env.LIGHTNING_NATIVE_REQUIRED === '1') {
  throw new Error(`LIGHTNING_NATIVE_REQUIRED=1 but the native backend is unavailable: ${reason}`);
}

/** `describe` options: skipped (with the reason) when the native backend is unavailable. */
export const nativeSuite: { skip: string | false } = { skip: reason ?? false };

/** A compact rendering of a shape or option for test names. */
export function str(v: unknown): string {
  return JSON.stringify(v);
}

/** A small deterministic PRNG (mulberry32) returning floats in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [lo, hi]. */
export function randInt(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

/** Uniform data in [-scale, scale). */
export function randData(r: () => number, shape: number[], scale = 1): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, () => (2 * r() - 1) * scale);
}

/** An input of a compared computation: its shape and data (float32, or int32 when `dtype` says so). */
export interface InputSpec {
  shape: number[];
  data: Float32Array | Int32Array;
  /** Differentiate with respect to this input. Default: true for float32 data. */
  grad?: boolean;
}

type Fn = (...xs: Tensor[]) => Tensor | Tensor[];

interface Result {
  outputs: Float32Array[];
  shapes: number[][];
  grads: Float32Array[];
}

function runOn(fn: Fn, inputs: InputSpec[], weights: Float32Array[] | undefined, withGrads: boolean): Result {
  const result: Result = { outputs: [], shapes: [], grads: [] };
  tf.tidy(() => {
    const xs = inputs.map((s) => tf.tensor(s.data, s.shape, s.data instanceof Int32Array ? 'int32' : 'float32'));
    const out = fn(...xs);
    const outs = Array.isArray(out) ? out : [out];
    result.outputs = outs.map((t) => Float32Array.from(t.dataSync()));
    result.shapes = outs.map((t) => t.shape);
    if (withGrads && weights !== undefined) {
      const gradIdx = inputs.map((s, i) => ((s.grad ?? s.data instanceof Float32Array) ? i : -1)).filter((i) => i >= 0);
      const f = (...gs: Tensor[]): Tensor => {
        const all = xs.map((x, i) => {
          const k = gradIdx.indexOf(i);
          return k >= 0 ? (gs[k] as Tensor) : x;
        });
        const o = fn(...all);
        const os = Array.isArray(o) ? o : [o];
        const terms = os.map((t, i) => tf.sum(tf.mul(t, tf.tensor(weights[i] as Float32Array, t.shape))));
        return terms.length === 1 ? (terms[0] as Tensor) : tf.addN(terms);
      };
      const grads = tf.grads(f)(gradIdx.map((i) => xs[i] as Tensor));
      result.grads = grads.map((g) => Float32Array.from(g.dataSync()));
    }
  });
  return result;
}

function assertNear(actual: Float32Array, expected: Float32Array, rtol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  const tol = rtol * Math.max(scale, 1);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const a = actual[i] as number;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (e === a) continue;
    assert.ok(Math.abs(a - e) <= tol, `${what}[${i}]: native ${a}, cpu ${e} (tolerance ${tol}, scale ${scale})`);
  }
}

/**
 * Run `fn` on both backends with the same inputs and compare every output (and, with `grads`, the gradient of
 * sum(output · R) for random R with respect to each float input) within `rtol` of the largest reference value.
 */
export async function compareWithCpu(
  name: string,
  fn: Fn,
  inputs: InputSpec[],
  options: { rtol?: number; grads?: boolean; seed?: number; allowFallback?: boolean } = {},
): Promise<void> {
  const rtol = options.rtol ?? 1e-5;
  const withGrads = options.grads ?? true;
  await tf.setBackend('cpu');
  const probe = runOn(fn, inputs, undefined, false);
  const r = rng(options.seed ?? 7);
  const weights = probe.shapes.map((s) => randData(r, s));
  const ref = runOn(fn, inputs, weights, withGrads);
  await tf.setBackend('native');
  const before = tf.memory().numTensors;
  nativeModule?.nativeFallbackCounts(true);
  const got = runOn(fn, inputs, weights, withGrads);
  const fellBack = nativeModule?.nativeFallbackCounts(true) ?? {};
  assert.equal(tf.memory().numTensors, before, `${name}: tensors leaked on native`);
  if (options.allowFallback !== true) assert.deepEqual(fellBack, {}, `${name}: native kernels fell back to cpu`);
  await tf.setBackend('cpu');
  ref.outputs.forEach((o, i) => {
    assert.deepEqual(got.shapes[i], ref.shapes[i], `${name}: output ${i} shape`);
    assertNear(got.outputs[i] as Float32Array, o, rtol, `${name} output ${i}`);
  });
  ref.grads.forEach((g, i) => assertNear(got.grads[i] as Float32Array, g, rtol, `${name} grad ${i}`));
}
