import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchSampler, RandomSampler, SequentialSampler, WeightedRandomSampler } from '../../src/data/sampler.js';
import { Generator } from '../../src/utilities/random.js';
import { seedEverything } from '../../src/utilities/seed.js';

const sized = (length: number) => ({ length });

describe('samplers', () => {
  it('SequentialSampler yields 0..n-1', () => {
    assert.deepEqual([...new SequentialSampler(sized(5))], [0, 1, 2, 3, 4]);
  });

  it('RandomSampler: a permutation of randperm(seed + epoch), reproducible, new order each pass', () => {
    const a = new RandomSampler(sized(20), { seed: 7 });
    const b = new RandomSampler(sized(20), { seed: 7 });
    const e0 = [...a];
    assert.deepEqual(e0, new Generator(7).randperm(20));
    assert.deepEqual([...b], e0);
    const e1 = [...a];
    assert.notDeepEqual(e1, e0);
    assert.deepEqual(e1, new Generator(8).randperm(20));
    assert.deepEqual([...e1].sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i));
    a.setEpoch(0);
    assert.deepEqual([...a], e0);
  });

  it('RandomSampler draws its seed from seedEverything when none is given', () => {
    seedEverything(123);
    const first = [...new RandomSampler(sized(50))];
    seedEverything(123);
    assert.deepEqual([...new RandomSampler(sized(50))], first);
    seedEverything(124);
    assert.notDeepEqual([...new RandomSampler(sized(50))], first);
  });

  it('RandomSampler with numSamples and replacement', () => {
    const more = [...new RandomSampler(sized(4), { seed: 1, numSamples: 10 })];
    assert.equal(more.length, 10);
    assert.deepEqual(more.slice(0, 4).sort(), [0, 1, 2, 3]);
    assert.deepEqual(more.slice(4, 8).sort(), [0, 1, 2, 3]);
    const rep = [...new RandomSampler(sized(3), { seed: 2, replacement: true, numSamples: 300 })];
    assert.equal(rep.length, 300);
    assert.ok(rep.every((i) => i >= 0 && i < 3));
    const counts = [0, 1, 2].map((k) => rep.filter((i) => i === k).length);
    assert.ok(counts.every((c) => c > 70), `roughly uniform: ${counts.join(',')}`);
  });

  it('WeightedRandomSampler follows the weights; without replacement it never repeats', () => {
    const s = new WeightedRandomSampler([0, 1, 3], 4000, { seed: 3 });
    const draws = [...s];
    const counts = [0, 1, 2].map((k) => draws.filter((i) => i === k).length);
    assert.equal(counts[0], 0);
    assert.ok(Math.abs((counts[2] ?? 0) / 4000 - 0.75) < 0.03, `p(2)=${(counts[2] ?? 0) / 4000}`);
    const nr = [...new WeightedRandomSampler([1, 1, 5, 0, 2], 4, { seed: 4, replacement: false })];
    assert.equal(new Set(nr).size, 4);
    assert.ok(!nr.includes(3));
    assert.throws(() => new WeightedRandomSampler([1, 0], 2, { replacement: false }), /positive weight/);
  });

  it('stateDict mid-pass resumes the exact remaining indices, and the following epochs match', () => {
    const reference = new RandomSampler(sized(12), { seed: 11 });
    const full = [[...reference], [...reference]];
    const s = new RandomSampler(sized(12), { seed: 11 });
    const it = s[Symbol.iterator]();
    const seen = [0, 1, 2, 3, 4].map(() => it.next().value as number);
    const state = s.stateDict();
    assert.deepEqual(state, { epoch: 0, seed: 11, position: 5 });
    const resumed = new RandomSampler(sized(12), { seed: 999 });
    resumed.loadStateDict(JSON.parse(JSON.stringify(state)) as typeof state);
    resumed.setEpoch(0); // same epoch: keeps the resume point (what the Trainer does)
    assert.deepEqual([...seen, ...resumed], full[0]);
    assert.deepEqual([...resumed], full[1]);
  });

  it('BatchSampler batches with and without dropLast', () => {
    assert.deepEqual([...new BatchSampler(new SequentialSampler(sized(7)), 3, false)], [[0, 1, 2], [3, 4, 5], [6]]);
    assert.deepEqual([...new BatchSampler(new SequentialSampler(sized(7)), 3, true)], [[0, 1, 2], [3, 4, 5]]);
    assert.equal(new BatchSampler(new SequentialSampler(sized(7)), 3, false).length, 3);
    assert.equal(new BatchSampler(new SequentialSampler(sized(7)), 3, true).length, 2);
  });
});
