// Shared helpers of the metrics tests: fixture loading, batching, approximate deep comparison.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tf } from '../../src/runtime/tf.js';
import type { Tensor } from '../../src/runtime/tf.js';

export interface FixtureArray {
  shape: number[];
  data: number[];
}
export interface FixtureCase {
  metric: string;
  options: Record<string, unknown>;
  data: string;
  preds: string;
  target: string;
  expected: unknown;
}
export interface Fixture {
  datasets: Record<string, Record<string, FixtureArray>>;
  cases: FixtureCase[];
}

export function loadFixture(name: string): Fixture {
  return JSON.parse(readFileSync(new URL(`../fixtures/metrics/${name}.json`, import.meta.url), 'utf8')) as Fixture;
}

/** Rows [start, end) of a fixture array as a tensor. */
export function rows(a: FixtureArray, start: number, end: number, dtype: 'float32' | 'int32'): Tensor {
  const inner = a.shape.slice(1).reduce((x, y) => x * y, 1);
  return tf.tensor(a.data.slice(start * inner, end * inner), [end - start, ...a.shape.slice(1)], dtype);
}

/** Uneven cut points splitting n rows into 4 batches. */
export function cuts(n: number): number[] {
  return [0, Math.floor(n * 0.2), Math.floor(n * 0.55), Math.floor(n * 0.8), n];
}

/** Compare numbers (null = NaN) within abs 1e-6 or rel 1e-5, recursively through arrays and objects. */
export function assertClose(actual: unknown, expected: unknown, path = 'value'): void {
  if (expected === null || typeof expected === 'number') {
    assert.equal(typeof actual, 'number', `${path}: expected a number, got ${JSON.stringify(actual)}`);
    const a = actual as number;
    if (expected === null || Number.isNaN(expected)) {
      assert.ok(Number.isNaN(a), `${path}: expected NaN, got ${a}`);
      return;
    }
    assert.ok(Math.abs(a - expected) <= Math.max(1e-6, 1e-5 * Math.abs(expected)), `${path}: ${a} != ${expected}`);
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected an array, got ${JSON.stringify(actual)}`);
    assert.equal(actual.length, expected.length, `${path}: length ${actual.length} != ${expected.length}`);
    expected.forEach((e, i) => assertClose((actual as unknown[])[i], e, `${path}[${i}]`));
    return;
  }
  const exp = expected as Record<string, unknown>;
  assert.equal(typeof actual, 'object', `${path}: expected an object`);
  for (const k of Object.keys(exp)) assertClose((actual as Record<string, unknown>)[k], exp[k], `${path}.${k}`);
}
