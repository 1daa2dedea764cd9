import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DistributedSampler } from '../../src/data/distributed-sampler.js';
import { randomSplit } from '../../src/data/dataset.js';
import { Generator } from '../../src/utilities/random.js';

interface Fixture {
  randperm: Array<{ n: number; seed: number; first: number[]; second: number[]; sum_index_times_value?: number }>;
  distributed: Array<{ n: number; numReplicas: number; shuffle: boolean; seed: number; epoch: number; dropLast: boolean; ranks: number[][] }>;
  randomSplit: Array<{ n: number; lengths: number[]; seed: number; splits: number[][] }>;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/data/data.json', import.meta.url), 'utf8')) as Fixture;

describe('Generator.randperm matches torch.randperm (fixture, torch 1.13 CPU)', () => {
  for (const c of fixture.randperm) {
    it(`n=${c.n} seed=${c.seed}`, () => {
      const g = new Generator(c.seed);
      const first = g.randperm(c.n);
      const second = g.randperm(c.n);
      assert.deepEqual(first.slice(0, c.first.length), c.first);
      assert.deepEqual(second.slice(0, c.second.length), c.second);
      if (c.sum_index_times_value !== undefined) {
        assert.equal(first.reduce((acc, v, i) => acc + i * v, 0), c.sum_index_times_value);
      }
    });
  }
});

describe('DistributedSampler matches torch.utils.data.DistributedSampler (fixture)', () => {
  for (const c of fixture.distributed) {
    const name = `n=${c.n} replicas=${c.numReplicas} shuffle=${c.shuffle} seed=${c.seed} epoch=${c.epoch} dropLast=${c.dropLast}`;
    it(name, () => {
      const ranks = c.ranks.map((_, rank) => {
        const s = new DistributedSampler({ length: c.n }, { numReplicas: c.numReplicas, rank, shuffle: c.shuffle, seed: c.seed, dropLast: c.dropLast });
        s.setEpoch(c.epoch);
        assert.equal(s.length, c.ranks[rank]?.length);
        return [...s];
      });
      assert.deepEqual(ranks, c.ranks);
      const all = ranks.flat();
      if (c.dropLast) {
        assert.equal(new Set(all).size, all.length, 'dropLast: ranks are disjoint');
      } else {
        assert.deepEqual([...new Set(all)].sort((a, b) => a - b), Array.from({ length: c.n }, (_, i) => i), 'every index is covered');
        assert.equal(all.length, Math.ceil(c.n / c.numReplicas) * c.numReplicas, 'padded to an equal share per rank');
        if (c.n % c.numReplicas === 0) assert.equal(new Set(all).size, all.length, 'no padding needed: disjoint');
      }
    });
  }

  it('does not reshuffle by itself between passes; setEpoch does', () => {
    const s = new DistributedSampler({ length: 10 }, { numReplicas: 2, rank: 0, seed: 0 });
    const a = [...s];
    assert.deepEqual([...s], a);
    s.setEpoch(1);
    assert.notDeepEqual([...s], a);
  });

  it('rejects a rank outside [0, numReplicas)', () => {
    assert.throws(() => new DistributedSampler({ length: 10 }, { numReplicas: 2, rank: 2 }), /invalid rank 2/);
  });
});

describe('randomSplit matches torch.utils.data.random_split (fixture)', () => {
  for (const c of fixture.randomSplit) {
    it(`n=${c.n} lengths=${c.lengths.join(',')} seed=${c.seed}`, () => {
      const data = { length: c.n, get: (i: number) => i };
      const splits = randomSplit(data, c.lengths, { seed: c.seed });
      assert.deepEqual(splits.map((s) => s.indices), c.splits);
    });
  }

  it('rejects lengths that do not add up', () => {
    assert.throws(() => randomSplit({ length: 10, get: (i: number) => i }, [3, 3]), /neither sum to the dataset length 10/);
  });
});
