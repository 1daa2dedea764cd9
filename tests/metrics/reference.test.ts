// Every metric against scikit-learn (scripts/fixtures/metrics.py), fed in 4 uneven batches, in one call, and through forward().
import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';
import { tf } from '../../src/runtime/tf.js';
import { selectBackend } from '../../src/runtime/backend.js';
import * as metrics from '../../src/metrics/index.js';
import type { Metric, MetricInput } from '../../src/metrics/index.js';
import { assertClose, cuts, loadFixture, rows } from './helpers.js';
import type { Fixture, FixtureCase } from './helpers.js';
import { setWarningsEnabled } from '../../src/utilities/warnings.js';

const classification = loadFixture('classification');
const regression = loadFixture('regression');

type Pair = Metric<[MetricInput, MetricInput], unknown>;
type Ctor = new (options: Record<string, unknown>) => Pair;

function build(c: FixtureCase): Pair {
  const ctor = (metrics as unknown as Record<string, Ctor | undefined>)[c.metric];
  assert.ok(ctor !== undefined, `unknown metric ${c.metric}`);
  return new ctor(c.options);
}

/** Classification targets and argmax labels are int32 tensors; everything else float32. */
function labelDtype(fx: Fixture, key: string): 'int32' | 'float32' {
  return fx === classification && (key === 'target' || key === 'labels') ? 'int32' : 'float32';
}

function run(fx: Fixture, c: FixtureCase, mode: 'batches' | 'once' | 'forward'): unknown {
  const ds = fx.datasets[c.data]!;
  const p = ds[c.preds]!;
  const y = ds[c.target]!;
  const n = y.shape[0]!;
  const m = build(c);
  const bounds = mode === 'once' ? [0, n] : cuts(n);
  for (let i = 0; i + 1 < bounds.length; i++) {
    const pt = rows(p, bounds[i]!, bounds[i + 1]!, labelDtype(fx, c.preds));
    const yt = rows(y, bounds[i]!, bounds[i + 1]!, labelDtype(fx, c.target));
    if (mode === 'forward') m.forward(pt, yt);
    else m.update(pt, yt);
    tf.dispose([pt, yt]);
  }
  return m.compute();
}


function label(c: FixtureCase): string {
  return `${c.metric} ${JSON.stringify(c.options)} on ${c.data}.${c.preds}`;
}

for (const [title, fx] of [
  ['classification', classification],
  ['regression', regression],
] as const) {
  describe(`metrics vs scikit-learn: ${title}`, () => {
    before(async () => {
      await selectBackend('cpu');
      setWarningsEnabled(false);
    });

    it(`${fx.cases.length} cases agree in 4 batches, in one call, and through forward()`, () => {
      const before = tf.memory().numTensors;
      const failures: string[] = [];
      for (const c of fx.cases) {
        for (const mode of ['batches', 'once', 'forward'] as const) {
          try {
            assertClose(run(fx, c, mode), c.expected, `${label(c)} [${mode}]`);
          } catch (e) {
            failures.push((e as Error).message.split('\n')[0]!);
          }
        }
      }
      assert.deepEqual(failures, []);
      assert.equal(tf.memory().numTensors, before);
    });
  });
}
