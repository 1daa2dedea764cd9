/**
 * An in-process fake of N ranks for tests of code above the collective (DDPStrategy, metrics, trainer logic): each
 * rank's call waits until all N ranks issued their call with the same sequence number, then all resolve.
 */
import { CollectiveError, allocLike, divideInPlace } from '../../src/strategies/collective.js';
import type { Collective, CollectiveArray, CollectiveCallOptions, ReduceOp } from '../../src/strategies/collective.js';

interface Arrival {
  kind: string;
  name: string;
  data: CollectiveArray | null;
  op: ReduceOp | null;
  root: number;
  resolve: (result: CollectiveArray[] | null) => void;
  reject: (e: unknown) => void;
}

/** N collectives (one per simulated rank) that meet in memory. */
export function createLocalGroup(worldSize: number): Collective[] {
  const rounds = new Map<number, Array<Arrival | undefined>>();
  const seqs = new Array<number>(worldSize).fill(0);

  function complete(arrivals: Arrival[]): void {
    const first = arrivals[0]!;
    const bad = arrivals.findIndex((a) => a.kind !== first.kind || a.name !== first.name);
    if (bad >= 0) {
      arrivals.forEach((a, r) =>
        a.reject(new CollectiveError('mismatch', r, a.name, `rank ${bad} issued ${arrivals[bad]!.kind} '${arrivals[bad]!.name}'`, [bad])),
      );
      return;
    }
    if (first.kind === 'allReduce') {
      const n = first.data!.length;
      const acc = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const values = arrivals.map((a) => a.data![i]!);
        acc[i] = first.op === 'max' ? Math.max(...values) : first.op === 'min' ? Math.min(...values) : values.reduce((s, v) => s + v, 0);
      }
      for (const a of arrivals) {
        a.data!.set(acc);
        if (a.op === 'mean') divideInPlace(a.data!, worldSize, a.name);
      }
      arrivals.forEach((a) => a.resolve(null));
    } else if (first.kind === 'broadcast') {
      const src = arrivals[first.root]!.data!;
      for (const a of arrivals) if (a.data !== src) a.data!.set(src);
      arrivals.forEach((a) => a.resolve(null));
    } else if (first.kind === 'allGather') {
      arrivals.forEach((a) => a.resolve(arrivals.map((b) => b.data!.slice())));
    } else {
      arrivals.forEach((a) => a.resolve(null));
    }
  }

  function submit(rank: number, arrival: Omit<Arrival, 'resolve' | 'reject'>): Promise<CollectiveArray[] | null> {
    const seq = seqs[rank]!++;
    return new Promise((resolve, reject) => {
      const round = rounds.get(seq) ?? new Array<Arrival | undefined>(worldSize).fill(undefined);
      rounds.set(seq, round);
      round[rank] = { ...arrival, resolve, reject };
      if (round.every((a) => a !== undefined)) {
        rounds.delete(seq);
        complete(round);
      }
    });
  }

  return Array.from({ length: worldSize }, (_, rank): Collective => ({
    backend: 'local',
    rank,
    worldSize,
    localRank: rank,
    localWorldSize: worldSize,
    async allReduce<T extends CollectiveArray>(data: T, op: ReduceOp, o: CollectiveCallOptions = {}): Promise<T> {
      await submit(rank, { kind: 'allReduce', name: o.name ?? 'allReduce', data, op, root: 0 });
      return data;
    },
    async broadcast<T extends CollectiveArray>(data: T, root: number, o: CollectiveCallOptions = {}): Promise<T> {
      await submit(rank, { kind: 'broadcast', name: o.name ?? 'broadcast', data, op: null, root });
      return data;
    },
    async allGather<T extends CollectiveArray>(data: T, o: CollectiveCallOptions = {}): Promise<T[]> {
      const out = await submit(rank, { kind: 'allGather', name: o.name ?? 'allGather', data, op: null, root: 0 });
      return out!.map((d) => {
        const copy = allocLike(data, d.length);
        copy.set(d);
        return copy;
      });
    },
    async barrier(o: CollectiveCallOptions = {}): Promise<void> {
      await submit(rank, { kind: 'barrier', name: o.name ?? 'barrier', data: null, op: null, root: 0 });
    },
    destroy: () => Promise.resolve(),
  }));
}
