/** Correctness of every MPI collective on 2+ ranks, plus many concurrent collectives of different sizes (ordering). */
import { MpiCollective } from '../../../src/strategies/mpi-collective.js';
import { allGatherVariable } from '../../../src/strategies/collective.js';
import { report } from './report.js';

const c = MpiCollective.connect({ timeoutMs: 20_000 });
const r = c.rank;
const n = c.worldSize;
const checks: Record<string, boolean> = {};

const a = Float32Array.from({ length: 1003 }, (_, i) => i * (r + 1));
await c.allReduce(a, 'sum', { name: 'sum' });
const tri = (n * (n + 1)) / 2;
checks.sumF32 = a.every((v, i) => v === i * tri);

const big = new Float32Array(64);
const view = big.subarray(10, 20);
view.fill(r + 1);
await c.allReduce(view, 'max', { name: 'max.view' });
checks.maxSubarray = view.every((v) => v === n) && big[9] === 0 && big[20] === 0;

const d = new Float64Array([r + 0.5, -r]);
await c.allReduce(d, 'min', { name: 'min' });
checks.minF64 = d[0] === 0.5 && d[1] === -(n - 1);

const m = new Float64Array([r, 2 * r]);
await c.allReduce(m, 'mean', { name: 'mean' });
checks.meanF64 = m[0] === (n - 1) / 2 && m[1] === n - 1;

const i32 = new Int32Array([r, 1]);
await c.allReduce(i32, 'sum');
checks.sumI32 = i32[0] === (n * (n - 1)) / 2 && i32[1] === n;

const b = r === 1 ? Uint8Array.from([1, 2, 3]) : new Uint8Array(3);
await c.broadcast(b, 1, { name: 'bcast' });
checks.broadcastRoot1 = b.join() === '1,2,3';

const g = await c.allGather(new Int32Array([r, r * 10]));
checks.allGather = g.every((x, k) => x[0] === k && x[1] === k * 10);
const v = await allGatherVariable(c, new Float64Array(r + 1).fill(r));
checks.allGatherVariable = v.every((x, k) => x.length === k + 1 && x.every((y) => y === k));

await c.barrier({ name: 'b1' });

// Ordering stress: 20 rounds of 16 collectives of different sizes and kinds issued at once.
let ordered = true;
for (let round = 0; round < 20; round++) {
  const arrays = Array.from({ length: 16 }, (_, k) => new Float32Array(1 + ((k * 7919 + round * 104729) % 5000)).fill(k + r));
  const pending = arrays.map((arr, k) => (k % 5 === 4 ? c.broadcast(arr, k % n) : c.allReduce(arr, 'sum', { name: `s${k}` })));
  await Promise.all(pending);
  arrays.forEach((arr, k) => {
    const expected = k % 5 === 4 ? k + (k % n) : n * k + (n * (n - 1)) / 2;
    if (!arr.every((x) => x === expected)) ordered = false;
  });
}
checks.orderingStress = ordered;
report({ rank: r, size: n, localRank: c.localRank, checks, library: c.library.split(',')[0] });
await c.destroy();
