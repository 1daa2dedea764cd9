/** Loading the PyTorch optim fixtures and comparing numbers. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'optim');

/** Parse one fixture file of tests/fixtures/optim. */
export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as T;
}

/** Assert |actual - expected| <= rtol * max(|expected|, floor) elementwise, naming the first bad index. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, what: string, floor = 1e-3): number {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    const err = Math.abs(a - e) / Math.max(Math.abs(e), floor);
    worst = Math.max(worst, err);
    assert.ok(err <= rtol, `${what}[${i}]: got ${a}, expected ${e} (relative error ${err.toExponential(2)})`);
  }
  return worst;
}
